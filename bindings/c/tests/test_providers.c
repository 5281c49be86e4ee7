/*
 * Provider profiles and Server-to-Server clients, against the second fake (Adobe IMS mode,
 * manual clock, WF_IMS_MOCK_URL): IMS web app sign-in (secret in Basic and in the form),
 * single-page app with PKCE, a generic OAuth 2 server, Bearer API calls, renewal at the
 * token's expiry; client credentials clients in memory, over a file store and over a C
 * store, re-requesting once for eight threads after a revocation and after an expiry;
 * and the errors: no client credentials on Workfront's legacy service, IMS without a
 * scope, refused URLs, a wrong secret that never shows in the message.
 */
#include "harness.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#define IMS_SCOPE "openid AdobeID additional_info.projectedProductContext"
/* The token lifetime tests/run.sh gives the IMS fake (--access-token-ttl-secs). */
#define IMS_TOKEN_TTL 3600
#define THREADS 8
#define WRONG_SECRET "not-the-secret-4711"

/* The library's clock: real time plus what the tests advanced. The IMS fake's clock is
 * frozen and moves only when the tests advance both together. */
static _Atomic uint64_t clock_offset;

static uint64_t test_clock(void *userdata) {
    (void)userdata;
    return (uint64_t)time(NULL) + atomic_load(&clock_offset);
}

static void advance_clocks(uint64_t secs) {
    char body[64];
    snprintf(body, sizeof body, "{\"secs\":%llu}", (unsigned long long)secs);
    CHECK(mock_admin_at(ims_mock_url(), "clock/advance", body));
    atomic_fetch_add(&clock_offset, secs);
}

static char *text_of(wf_result (*read)(const wf_token_set *, char **), const wf_token_set *t) {
    char *out = NULL;
    read(t, &out);
    return out != NULL ? take_string(out) : NULL;
}

/* The access token a client currently uses (malloc'd). */
static char *access_of(const wf_client *client) {
    wf_token_set *tokens = NULL;
    CHECK_RESULT(wf_client_tokens(client, &tokens), WF_OK);
    char *access = tokens != NULL ? text_of(wf_token_set_access_token, tokens) : NULL;
    wf_token_set_free(tokens);
    return access;
}

/* Everything but the provider for the IMS fake (the Workfront API on the fake too): the
 * tests' usual settings, the IMS scope and the tests' clock. */
static wf_config *ims_fake_config(client_style style, const char *secret) {
    wf_config *config = mock_config_at(ims_mock_url(), style, secret);
    if (config != NULL) {
        CHECK_RESULT(wf_config_set_scope(config, IMS_SCOPE), WF_OK);
        CHECK_RESULT(wf_config_set_clock(config, test_clock, NULL), WF_OK);
    }
    return config;
}

/* A configuration for the IMS fake as Adobe IMS. */
static wf_config *ims_config(client_style style, const char *secret) {
    wf_config *config = ims_fake_config(style, secret);
    if (config != NULL) {
        CHECK_RESULT(wf_config_set_provider_adobe_ims(config, ims_mock_url()), WF_OK);
    }
    return config;
}

static wf_oauth *ims_oauth(client_style style) {
    return oauth_of(ims_config(style, MOCK_CLIENT_SECRET));
}

/* One API call; true when it succeeded with a JSON array or object. */
static bool api_call(const wf_client *client, const char *path) {
    uint16_t status = 0;
    char *body = NULL;
    bool ok = CHECK_RESULT(wf_client_request(client, "GET", path, "$$LIMIT=2", NULL, &status,
                                             &body),
                           WF_OK) &&
              status == 200 && body != NULL && (body[0] == '[' || body[0] == '{');
    wf_string_free(body);
    return ok;
}

static void check_count(long got, long want, const char *what) {
    if (!CHECK(got == want)) {
        fprintf(stderr, "  %s: %ld, expected %ld\n", what, got, want);
    }
}

static void reset_ims_stats(void) {
    CHECK(mock_admin_at(ims_mock_url(), "reset-stats", "{}"));
}

/* A client made from `config` sends the user to an authorize URL that starts with
 * `prefix`. */
static void check_authorize_url(const wf_config *config, const char *prefix) {
    wf_oauth *oauth = NULL;
    CHECK_RESULT(wf_oauth_new(config, &oauth), WF_OK);
    char *url = authorize_url_of(oauth);
    if (!CHECK(starts_with(url, prefix))) {
        fprintf(stderr, "  %s\n", url != NULL ? url : "(none)");
    }
    free(url);
    wf_oauth_free(oauth);
}

/* IMS web application (secret in Basic with a form body, or in the form): authorize URL,
 * the fake's redirect, exchange, Bearer tokens with a real expiry, API calls, and a
 * renewal before the call once the token is due. */
static void test_ims_web_app(client_style style) {
    wf_oauth *oauth = ims_oauth(style);
    if (oauth == NULL) {
        return;
    }
    wf_pending_authorization *pending = NULL;
    char *url = NULL;
    CHECK_RESULT(wf_oauth_authorize(oauth, &pending), WF_OK);
    CHECK_RESULT(wf_pending_authorization_url(pending, &url), WF_OK);
    char expected[512];
    snprintf(expected, sizeof expected, "%s/ims/authorize/v2?", ims_mock_url());
    CHECK(starts_with(url, expected));
    CHECK(url != NULL && strstr(url, "scope=openid+AdobeID") != NULL);
    char *callback = url != NULL ? follow_authorize(url) : NULL;
    CHECK(starts_with(callback, MOCK_REDIRECT_URI "?"));

    wf_token_set *tokens = NULL;
    wf_store *store = NULL;
    wf_client *client = NULL;
    CHECK_RESULT(wf_oauth_exchange(oauth, pending, callback, &tokens), WF_OK);
    CHECK_RESULT(wf_memory_store_new(&store), WF_OK);
    if (tokens != NULL) {
        char *type = text_of(wf_token_set_token_type, tokens);
        char *refresh = text_of(wf_token_set_refresh_token, tokens);
        uint64_t expires_at = 0;
        CHECK_RESULT(wf_token_set_expires_at(tokens, &expires_at), WF_OK);
        uint64_t lifetime = expires_at - test_clock(NULL);
        CHECK(type != NULL && strcmp(type, "Bearer") == 0);
        CHECK(refresh != NULL && refresh[0] != '\0');
        if (!CHECK(lifetime > IMS_TOKEN_TTL - 60 && lifetime <= IMS_TOKEN_TTL)) {
            fprintf(stderr, "  lifetime %llu\n", (unsigned long long)lifetime);
        }
        free(type);
        free(refresh);
        CHECK_RESULT(wf_client_login(oauth, store, "ims-user", tokens, &client), WF_OK);
    }
    if (client != NULL) {
        CHECK(api_call(client, "proj/search"));
        char *before = access_of(client);
        /* A token lifetime later the token is due: renewed before the call, never refused. */
        reset_ims_stats();
        advance_clocks(IMS_TOKEN_TTL);
        CHECK(api_call(client, "proj/search"));
        check_count(mock_grants_at(ims_mock_url(), "refresh_token"), 1, "refresh grants");
        check_count(mock_statuses_at(ims_mock_url(), "api", "401"), 0, "refused API calls");
        char *after = access_of(client);
        CHECK(before != NULL && after != NULL && strcmp(before, after) != 0);
        free(before);
        free(after);
    }
    wf_client_free(client);
    wf_store_free(store);
    wf_token_set_free(tokens);
    free(callback);
    wf_string_free(url);
    wf_pending_authorization_free(pending);
    wf_oauth_free(oauth);
}

/* IMS single-page (or native) application: PKCE, no secret. */
static void test_ims_single_page_app(void) {
    wf_oauth *oauth = ims_oauth(STYLE_PKCE);
    if (oauth == NULL) {
        return;
    }
    char *url = authorize_url_of(oauth);
    CHECK(url != NULL && strstr(url, "code_challenge_method=S256") != NULL);
    CHECK(url != NULL && strstr(url, "client_id=" MOCK_PUBLIC_CLIENT_ID) != NULL);
    free(url);

    wf_token_set *tokens = sign_in(oauth);
    wf_client *client = NULL;
    if (CHECK(tokens != NULL)) {
        CHECK_RESULT(wf_client_from_tokens(oauth, tokens, &client), WF_OK);
    }
    if (client != NULL) {
        CHECK(api_call(client, "user/search"));
        reset_ims_stats();
        CHECK_RESULT(wf_client_refresh(client), WF_OK);
        check_count(mock_grants_at(ims_mock_url(), "refresh_token"), 1, "refresh grants");
        CHECK(api_call(client, "user/search"));
    }
    wf_client_free(client);
    wf_token_set_free(tokens);
    wf_oauth_free(oauth);
}

/* A standard OAuth 2 server: the IMS fake's endpoints given explicitly. */
static void test_generic_provider(void) {
    char authorize[512], token[512];
    snprintf(authorize, sizeof authorize, "%s/ims/authorize/v2", ims_mock_url());
    snprintf(token, sizeof token, "%s/ims/token/v3", ims_mock_url());
    /* The fake wants a scope, as IMS does; a generic server may not. */
    wf_config *config = ims_fake_config(STYLE_BASIC, MOCK_CLIENT_SECRET);
    if (config == NULL) {
        return;
    }
    CHECK_RESULT(wf_config_set_provider_generic(config, authorize, token), WF_OK);
    wf_oauth *oauth = oauth_of(config);
    if (oauth == NULL) {
        return;
    }
    wf_token_set *tokens = sign_in(oauth);
    wf_client *client = NULL;
    if (CHECK(tokens != NULL)) {
        CHECK_RESULT(wf_client_from_tokens(oauth, tokens, &client), WF_OK);
    }
    if (client != NULL) {
        CHECK(api_call(client, "proj/search"));
        CHECK_RESULT(wf_client_refresh(client), WF_OK);
        CHECK(api_call(client, "proj/search"));
    }
    /* The client credentials grant on a generic server, one shot. */
    wf_token_set *s2s = NULL;
    CHECK_RESULT(wf_oauth_client_credentials(oauth, &s2s), WF_OK);
    wf_token_set_free(s2s);
    wf_client_free(client);
    wf_token_set_free(tokens);
    wf_oauth_free(oauth);
}

/* The provider setters without a server: the authorize URL says where the user goes. */
static void test_provider_selection(void) {
    wf_config *config = NULL;
    if (!CHECK_RESULT(wf_config_new("acme.my.workfront.com", "id", &config), WF_OK)) {
        return;
    }
    CHECK_RESULT(wf_config_set_redirect_uri(config, "https://app.example.com/cb"), WF_OK);
    CHECK_RESULT(wf_config_set_scope(config, IMS_SCOPE), WF_OK);
    CHECK_RESULT(wf_config_set_provider_adobe_ims(config, NULL), WF_OK);
    check_authorize_url(config, "https://ims-na1.adobelogin.com/ims/authorize/v2?");
    CHECK_RESULT(wf_config_set_provider_workfront_legacy(config), WF_OK);
    check_authorize_url(config, "https://acme.my.workfront.com/integrations/oauth2/authorize?");
    CHECK_RESULT(wf_config_set_provider_generic(config, "https://auth.example.com/oauth/authorize",
                                                "https://auth.example.com/oauth/token"),
                 WF_OK);
    check_authorize_url(config, "https://auth.example.com/oauth/authorize?");
    wf_config_free(config);
}

/* Server-to-Server in memory: API calls, then eight threads after a revocation and after
 * an expiry: one new client credentials grant each time. */
static void test_server_to_server(void) {
    wf_oauth *oauth = ims_oauth(STYLE_BASIC);
    if (oauth == NULL) {
        return;
    }
    reset_ims_stats();
    wf_client *client = NULL;
    CHECK_RESULT(wf_client_client_credentials(oauth, &client), WF_OK);
    /* The client outlives the OAuth client it was made from. */
    wf_oauth_free(oauth);
    if (client == NULL) {
        return;
    }
    check_count(mock_grants_at(ims_mock_url(), "client_credentials"), 1, "first grant");
    wf_token_set *tokens = NULL;
    CHECK_RESULT(wf_client_tokens(client, &tokens), WF_OK);
    if (tokens != NULL) {
        char *type = text_of(wf_token_set_token_type, tokens);
        char *refresh = text_of(wf_token_set_refresh_token, tokens);
        CHECK(type != NULL && strcmp(type, "Bearer") == 0);
        CHECK(refresh == NULL); /* nobody signs in: no refresh token */
        free(type);
        free(refresh);
    }
    wf_token_set_free(tokens);
    CHECK(api_call(client, "user/search"));
    CHECK(api_call(client, "proj/count"));

    /* Revoked on the server before its expiry: refused, re-requested once for all. */
    reset_ims_stats();
    CHECK(mock_admin_at(ims_mock_url(), "sessions/expire", "{}"));
    storm(client, THREADS);
    check_count(mock_grants_at(ims_mock_url(), "client_credentials"), 1,
                "grants after a revocation");
    CHECK(mock_statuses_at(ims_mock_url(), "api", "401") >= 1); /* the refusal path ran */

    /* Past its expiry: renewed before the calls, once, and never refused. */
    reset_ims_stats();
    advance_clocks(IMS_TOKEN_TTL);
    storm(client, THREADS);
    check_count(mock_grants_at(ims_mock_url(), "client_credentials"), 1,
                "grants after an expiry");
    check_count(mock_statuses_at(ims_mock_url(), "api", "401"), 0, "refused API calls");

    /* Renewal on demand; never a sign-in matter. */
    char *before = access_of(client);
    CHECK_RESULT(wf_client_refresh(client), WF_OK);
    char *after = access_of(client);
    CHECK(before != NULL && after != NULL && strcmp(before, after) != 0);
    check_count(mock_grants_at(ims_mock_url(), "client_credentials"), 2, "grants after refresh");
    bool reauth = true;
    CHECK_RESULT(wf_client_reauth_required(client, &reauth), WF_OK);
    CHECK(!reauth);
    CHECK(api_call(client, "proj/search"));
    free(before);
    free(after);
    wf_client_free(client);
}

/* The one-shot token request. */
static void test_one_shot_token(void) {
    wf_oauth *oauth = ims_oauth(STYLE_POST);
    wf_token_set *tokens = NULL;
    reset_ims_stats();
    CHECK_RESULT(wf_oauth_client_credentials(oauth, &tokens), WF_OK);
    check_count(mock_grants_at(ims_mock_url(), "client_credentials"), 1, "grants");
    if (tokens != NULL) {
        char *type = text_of(wf_token_set_token_type, tokens);
        char *access = text_of(wf_token_set_access_token, tokens);
        char *instance = text_of(wf_token_set_instance, tokens);
        uint64_t expires_at = 0;
        CHECK_RESULT(wf_token_set_expires_at(tokens, &expires_at), WF_OK);
        CHECK(type != NULL && strcmp(type, "Bearer") == 0);
        CHECK(access != NULL && access[0] != '\0');
        CHECK(instance != NULL && strcmp(instance, ims_mock_url()) == 0);
        CHECK(expires_at > test_clock(NULL) + IMS_TOKEN_TTL - 60);
        free(type);
        free(access);
        free(instance);
    }
    wf_token_set_free(tokens);
    wf_oauth_free(oauth);
}

/* Two Server-to-Server clients over one file store (two processes, say) share one token;
 * the one that finds it due renews and saves, the other adopts what is stored. */
static void test_server_to_server_file_store(void) {
    char dir[] = "/tmp/wf-oauth-c-s2s-XXXXXX";
    if (!CHECK(mkdtemp(dir) != NULL)) {
        return;
    }
    wf_oauth *oauth = ims_oauth(STYLE_BASIC);
    wf_store *store = NULL;
    wf_client *first = NULL, *second = NULL;
    CHECK_RESULT(wf_file_store_new(dir, &store), WF_OK);
    reset_ims_stats();
    CHECK_RESULT(wf_client_open_client_credentials(oauth, store, "s2s", &first), WF_OK);
    CHECK_RESULT(wf_client_open_client_credentials(oauth, store, "s2s", &second), WF_OK);
    /* The clients keep the store alive. */
    wf_store_free(store);
    if (first != NULL && second != NULL) {
        check_count(mock_grants_at(ims_mock_url(), "client_credentials"), 1,
                    "the stored token is reused");
        char *a = access_of(first), *b = access_of(second);
        CHECK(a != NULL && b != NULL && strcmp(a, b) == 0);
        free(a);
        free(b);

        advance_clocks(IMS_TOKEN_TTL);
        CHECK(api_call(first, "user/search"));
        CHECK(api_call(second, "user/search"));
        check_count(mock_grants_at(ims_mock_url(), "client_credentials"), 2,
                    "one renewal for both");
        a = access_of(first);
        b = access_of(second);
        CHECK(a != NULL && b != NULL && strcmp(a, b) == 0);
        free(a);
        free(b);
    }
    wf_client_free(first);
    wf_client_free(second);
    wf_oauth_free(oauth);
    char command[128];
    snprintf(command, sizeof command, "rm -rf '%s'", dir);
    CHECK(system(command) == 0);
}

/* A one-entry store implemented in C. */
typedef struct {
    pthread_mutex_t lock;
    char *key;
    char *document;
    int loads, saves, frees;
} c_store;

static int c_load(void *userdata, const char *key, wf_document *document) {
    c_store *s = userdata;
    pthread_mutex_lock(&s->lock);
    s->loads++;
    int result = WF_STORE_NOT_FOUND;
    if (s->key != NULL && strcmp(s->key, key) == 0) {
        result = wf_document_set(document, s->document) == WF_OK ? WF_STORE_OK : WF_STORE_FAILED;
    }
    pthread_mutex_unlock(&s->lock);
    return result;
}

static int c_save(void *userdata, const char *key, const char *document) {
    c_store *s = userdata;
    pthread_mutex_lock(&s->lock);
    int result = WF_STORE_FAILED;
    if (s->key == NULL || strcmp(s->key, key) == 0) {
        free(s->key);
        free(s->document);
        s->key = strdup(key);
        s->document = strdup(document);
        s->saves++;
        result = WF_STORE_OK;
    }
    pthread_mutex_unlock(&s->lock);
    return result;
}

static int c_remove(void *userdata, const char *key) {
    c_store *s = userdata;
    pthread_mutex_lock(&s->lock);
    if (s->key != NULL && strcmp(s->key, key) == 0) {
        free(s->key);
        free(s->document);
        s->key = s->document = NULL;
    }
    pthread_mutex_unlock(&s->lock);
    return WF_STORE_OK;
}

static void c_free(void *userdata) {
    c_store *s = userdata;
    s->frees++;
}

/* Server-to-Server over the application's own store. */
static void test_server_to_server_callback_store(void) {
    c_store backend = {.lock = PTHREAD_MUTEX_INITIALIZER};
    wf_store_callbacks callbacks = {&backend, c_load, c_save, c_remove, c_free};
    wf_oauth *oauth = ims_oauth(STYLE_POST);
    wf_store *store = NULL;
    wf_client *first = NULL, *second = NULL;
    CHECK_RESULT(wf_callback_store_new(&callbacks, &store), WF_OK);
    reset_ims_stats();
    CHECK_RESULT(wf_client_open_client_credentials(oauth, store, "s2s@c", &first), WF_OK);
    CHECK(backend.saves == 1);
    CHECK(backend.document != NULL && strstr(backend.document, "access_token") != NULL);
    CHECK_RESULT(wf_client_open_client_credentials(oauth, store, "s2s@c", &second), WF_OK);
    check_count(mock_grants_at(ims_mock_url(), "client_credentials"), 1,
                "the stored token is reused");
    CHECK(backend.saves == 1);
    if (first != NULL && second != NULL) {
        CHECK(api_call(first, "proj/search"));
        CHECK(api_call(second, "proj/search"));
        /* Revoked: the renewal is saved through the callbacks. */
        CHECK(mock_admin_at(ims_mock_url(), "sessions/expire", "{}"));
        CHECK(api_call(first, "proj/search"));
        CHECK(backend.saves == 2);
    }
    wf_client_free(first);
    wf_client_free(second);
    wf_store_free(store);
    wf_oauth_free(oauth);
    CHECK(backend.frees == 1);
    free(backend.key);
    free(backend.document);
    pthread_mutex_destroy(&backend.lock);
}

static void test_errors(void) {
    wf_client *client = NULL;
    wf_token_set *tokens = NULL;
    wf_store *store = NULL;
    CHECK_RESULT(wf_memory_store_new(&store), WF_OK);

    /* Workfront's legacy service has no client credentials grant: refused before
     * anything is sent. */
    CHECK(mock_admin("reset-stats", "{}"));
    wf_oauth *legacy_oauth = mock_oauth(STYLE_POST);
    CHECK_RESULT(wf_client_client_credentials(legacy_oauth, &client), WF_INVALID_ARGUMENT);
    CHECK(message_contains("client credentials"));
    CHECK_RESULT(wf_oauth_client_credentials(legacy_oauth, &tokens), WF_INVALID_ARGUMENT);
    CHECK_RESULT(wf_client_open_client_credentials(legacy_oauth, store, "k", &client),
                 WF_INVALID_ARGUMENT);
    check_count(mock_grants("client_credentials"), 0, "grants sent to the legacy fake");
    wf_oauth_free(legacy_oauth);

    /* A public client has no credentials to present. */
    wf_oauth *public_oauth = ims_oauth(STYLE_PKCE);
    CHECK_RESULT(wf_client_client_credentials(public_oauth, &client), WF_INVALID_ARGUMENT);
    wf_oauth_free(public_oauth);

    /* Adobe IMS needs a scope: refused when the client is made. */
    wf_config *config = NULL;
    wf_oauth *oauth = NULL;
    CHECK_RESULT(wf_config_new(ims_mock_url(), MOCK_CLIENT_ID, &config), WF_OK);
    CHECK_RESULT(wf_config_set_client_secret(config, MOCK_CLIENT_SECRET), WF_OK);
    CHECK_RESULT(wf_config_set_redirect_uri(config, MOCK_REDIRECT_URI), WF_OK);
    CHECK_RESULT(wf_config_set_provider_adobe_ims(config, ims_mock_url()), WF_OK);
    CHECK_RESULT(wf_oauth_new(config, &oauth), WF_INVALID_ARGUMENT);
    CHECK(message_contains("scope"));
    CHECK(oauth == NULL);

    /* URLs the core refuses, named by parameter, never quoted. */
    CHECK_RESULT(wf_config_set_provider_adobe_ims(config, "http://ims.example.com"),
                 WF_INVALID_ARGUMENT);
    CHECK(message_contains("ims_base"));
    CHECK_RESULT(wf_config_set_provider_adobe_ims(config, "not a URL"), WF_INVALID_ARGUMENT);
    CHECK_RESULT(wf_config_set_provider_adobe_ims(config, "\xff\xfe"), WF_INVALID_ARGUMENT);
    CHECK(message_contains("UTF-8"));
    CHECK_RESULT(wf_config_set_provider_generic(config, "https://user:pw-0815@auth.example.com/a",
                                                "https://auth.example.com/t"),
                 WF_INVALID_ARGUMENT);
    CHECK(message_contains("authorize_url"));
    CHECK(message_lacks("pw-0815"));
    CHECK_RESULT(wf_config_set_provider_generic(config, "https://auth.example.com/a",
                                                "https://auth.example.com/t#frag"),
                 WF_INVALID_ARGUMENT);
    CHECK(message_contains("token_url"));
    /* The configuration kept the IMS fake as its provider. */
    CHECK_RESULT(wf_config_set_scope(config, IMS_SCOPE), WF_OK);
    char expected[512];
    snprintf(expected, sizeof expected, "%s/ims/authorize/v2?", ims_mock_url());
    check_authorize_url(config, expected);
    wf_config_free(config);

    /* A wrong secret: the token endpoint's invalid_client, without the secret. */
    wf_oauth *wrong = oauth_of(ims_config(STYLE_BASIC, WRONG_SECRET));
    reset_ims_stats();
    CHECK_RESULT(wf_client_client_credentials(wrong, &client), WF_TOKEN_ENDPOINT);
    CHECK(message_contains("invalid_client"));
    CHECK(message_lacks(WRONG_SECRET));
    uint16_t status = 0;
    CHECK_RESULT(wf_last_error_status(&status), WF_OK);
    CHECK(status == 401);
    CHECK_RESULT(wf_oauth_client_credentials(wrong, &tokens), WF_TOKEN_ENDPOINT);
    CHECK(message_lacks(WRONG_SECRET));
    CHECK_RESULT(wf_client_open_client_credentials(wrong, store, "k", &client),
                 WF_TOKEN_ENDPOINT);
    CHECK(message_lacks(WRONG_SECRET));
    /* A refusal is not retried. */
    check_count(mock_grants_at(ims_mock_url(), "client_credentials"), 3, "grants sent");
    wf_oauth_free(wrong);

    /* Nothing was handed out by the failed calls. */
    CHECK(client == NULL && tokens == NULL);
    wf_store_free(store);
}

int main(void) {
    test_provider_selection();
    test_ims_web_app(STYLE_BASIC);
    test_ims_web_app(STYLE_POST);
    test_ims_single_page_app();
    test_generic_provider();
    test_one_shot_token();
    test_server_to_server();
    test_server_to_server_file_store();
    test_server_to_server_callback_store();
    test_errors();
    return finish();
}
