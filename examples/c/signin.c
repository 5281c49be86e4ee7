/*
 * Signs a user in to Adobe Workfront once, keeps the credential in a directory, and lists
 * a few projects — on later runs straight from the stored credential.
 *
 *   export WF_INSTANCE=acme.my.workfront.com WF_CLIENT_ID=… WF_CLIENT_SECRET=… \
 *          WF_REDIRECT_URI=https://app.example.com/callback
 *   make && ./signin
 *
 * On the first run it prints the address to open in a browser, then reads the address the
 * browser was sent back to (paste it). Optional: WF_TOKEN_DIR (default ./wf-tokens),
 * WF_API_VERSION (default v20.0), WF_SCOPE.
 *
 * WF_PROVIDER chooses who signs the user in:
 *   legacy   Workfront's own OAuth 2 service (the default; it stops working on 2027-02-01);
 *   ims      Adobe IMS (an OAuth Web App or Single-Page App of the Adobe Developer
 *            Console); needs WF_SCOPE, e.g. "openid AdobeID additional_info.projectedProductContext";
 *            WF_IMS_URL overrides https://ims-na1.adobelogin.com;
 *   generic  any OAuth 2 server: WF_AUTHORIZE_URL and WF_TOKEN_URL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wf_oauth.h>

/* Prints what failed and why (the message never contains a secret). */
static int fail(const char *what, wf_result result) {
    char *message = NULL;
    wf_last_error_message(&message);
    fprintf(stderr, "%s failed: %s: %s\n", what, wf_result_name(result),
            message != NULL ? message : "");
    wf_string_free(message);
    return 1;
}

static const char *setting(const char *name, const char *fallback) {
    const char *value = getenv(name);
    return value != NULL && value[0] != '\0' ? value : fallback;
}

/* Applies WF_PROVIDER (and what it needs) to the configuration. */
static wf_result choose_provider(wf_config *config) {
    const char *provider = setting("WF_PROVIDER", "legacy");
    if (strcmp(provider, "legacy") == 0) {
        return wf_config_set_provider_workfront_legacy(config);
    }
    if (strcmp(provider, "ims") == 0) {
        /* NULL: Adobe's default IMS address. */
        return wf_config_set_provider_adobe_ims(config, setting("WF_IMS_URL", NULL));
    }
    if (strcmp(provider, "generic") == 0) {
        const char *authorize_url = setting("WF_AUTHORIZE_URL", NULL);
        const char *token_url = setting("WF_TOKEN_URL", NULL);
        if (authorize_url == NULL || token_url == NULL) {
            fprintf(stderr, "WF_PROVIDER=generic needs WF_AUTHORIZE_URL and WF_TOKEN_URL\n");
            return WF_INVALID_ARGUMENT;
        }
        return wf_config_set_provider_generic(config, authorize_url, token_url);
    }
    fprintf(stderr, "WF_PROVIDER must be legacy, ims or generic, not %s\n", provider);
    return WF_INVALID_ARGUMENT;
}

/* The interactive part: browser, paste, exchange, save. */
static wf_result sign_in(const wf_oauth *oauth, const wf_store *store, const char *key,
                         wf_client **client) {
    wf_pending_authorization *pending = NULL;
    char *url = NULL;
    wf_token_set *tokens = NULL;
    char callback[4096];
    wf_result r = wf_oauth_authorize(oauth, &pending);
    if (r == WF_OK) {
        r = wf_pending_authorization_url(pending, &url);
    }
    if (r == WF_OK) {
        printf("Open this address in a browser and sign in:\n%s\n", url);
        printf("Then paste the address the browser was sent to:\n");
        fflush(stdout);
        if (fgets(callback, sizeof callback, stdin) == NULL) {
            fprintf(stderr, "no address given\n");
            r = WF_INVALID_ARGUMENT;
        }
    }
    if (r == WF_OK) {
        r = wf_oauth_exchange(oauth, pending, callback, &tokens);
    }
    if (r == WF_OK) {
        r = wf_client_login(oauth, store, key, tokens, client);
    }
    if (r != WF_OK) {
        fail("sign-in", r);
    }
    wf_token_set_free(tokens);
    wf_string_free(url);
    wf_pending_authorization_free(pending);
    return r;
}

int main(void) {
    const char *instance = setting("WF_INSTANCE", NULL);
    const char *client_id = setting("WF_CLIENT_ID", NULL);
    const char *redirect_uri = setting("WF_REDIRECT_URI", NULL);
    if (instance == NULL || client_id == NULL || redirect_uri == NULL) {
        fprintf(stderr, "set WF_INSTANCE, WF_CLIENT_ID and WF_REDIRECT_URI "
                        "(and WF_CLIENT_SECRET for a web application)\n");
        return 2;
    }

    wf_config *config = NULL;
    wf_result r = wf_config_new(instance, client_id, &config);
    if (r != WF_OK) {
        return fail("configuration", r);
    }
    const char *secret = setting("WF_CLIENT_SECRET", NULL);
    if (secret != NULL) {
        r = wf_config_set_client_secret(config, secret);
    }
    if (r == WF_OK) {
        r = wf_config_set_redirect_uri(config, redirect_uri);
    }
    if (r == WF_OK) {
        r = wf_config_set_api_version(config, setting("WF_API_VERSION", "v20.0"));
    }
    if (r == WF_OK) {
        r = choose_provider(config);
    }
    const char *scope = setting("WF_SCOPE", NULL);
    if (r == WF_OK && scope != NULL) {
        r = wf_config_set_scope(config, scope);
    }
    wf_oauth *oauth = NULL;
    if (r == WF_OK) {
        r = wf_oauth_new(config, &oauth);
    }
    wf_config_free(config);
    if (r != WF_OK) {
        return fail("configuration", r);
    }

    wf_store *store = NULL;
    r = wf_file_store_new(setting("WF_TOKEN_DIR", "wf-tokens"), &store);
    if (r != WF_OK) {
        wf_oauth_free(oauth);
        return fail("opening the token directory", r);
    }

    /* One credential per instance and client; a stored one is used without a browser. */
    char key[512];
    snprintf(key, sizeof key, "%s %s", client_id, instance);
    wf_client *client = NULL;
    r = wf_client_open(oauth, store, key, &client);
    if (r == WF_REAUTH_REQUIRED) {
        r = sign_in(oauth, store, key, &client);
    } else if (r != WF_OK) {
        fail("opening the stored credential", r);
    }

    int status = r == WF_OK ? 0 : 1;
    if (r == WF_OK) {
        uint16_t http_status = 0;
        char *projects = NULL;
        r = wf_client_request(client, "GET", "proj/search", "$$LIMIT=3&ID_Sort=asc&fields=name",
                              NULL, &http_status, &projects);
        if (r == WF_OK) {
            printf("projects: %s\n", projects);
        } else {
            status = fail("listing projects", r);
        }
        wf_string_free(projects);
    }

    wf_client_free(client);
    wf_store_free(store);
    wf_oauth_free(oauth);
    return status;
}
