/*
 * The whole flow against the fake Workfront: configuration in the three client styles,
 * authorize URL, pending authorization stored and restored, exchange, token set accessors
 * and stored form, refresh, and an authorized client over a file store that renews its
 * session by itself, shares the store with a second client, and signs out.
 */
#include "harness.h"

#include <stdlib.h>

static char *text_of(wf_result (*read)(const wf_token_set *, char **), const wf_token_set *t) {
    char *out = NULL;
    CHECK_RESULT(read(t, &out), WF_OK);
    return take_string(out);
}

static void test_version(void) {
    CHECK(wf_version() != NULL && strlen(wf_version()) > 0);
    CHECK(strcmp(wf_result_name(WF_OK), "WF_OK") == 0);
    CHECK(strcmp(wf_result_name(WF_PANIC), "WF_PANIC") == 0);
    CHECK(strcmp(wf_result_name(999), "WF_UNKNOWN") == 0);
}

static void test_authorize_exchange_refresh(void) {
    wf_oauth *oauth = mock_oauth(STYLE_BASIC);
    wf_pending_authorization *pending = NULL, *restored = NULL;
    char *url = NULL, *json = NULL, *restored_url = NULL;
    CHECK_RESULT(wf_oauth_authorize(oauth, &pending), WF_OK);
    CHECK_RESULT(wf_pending_authorization_url(pending, &url), WF_OK);
    char expected[512];
    snprintf(expected, sizeof expected,
             "%s/integrations/oauth2/authorize?client_id=" MOCK_CLIENT_ID "&", mock_url());
    CHECK(starts_with(url, expected));
    CHECK(strstr(url, "response_type=code") != NULL);
    CHECK(strstr(url, "&state=") != NULL);

    /* A web application keeps the pending authorization between two requests. */
    CHECK_RESULT(wf_pending_authorization_to_json(pending, &json), WF_OK);
    CHECK_RESULT(wf_pending_authorization_from_json(json, &restored), WF_OK);
    CHECK_RESULT(wf_pending_authorization_url(restored, &restored_url), WF_OK);
    CHECK(url != NULL && restored_url != NULL && strcmp(url, restored_url) == 0);

    char *callback = url != NULL ? follow_authorize(url) : NULL;
    CHECK(starts_with(callback, MOCK_REDIRECT_URI "?"));
    CHECK(callback != NULL && strstr(callback, "code=") != NULL);

    wf_token_set *tokens = NULL;
    CHECK_RESULT(wf_oauth_exchange(oauth, restored, callback, &tokens), WF_OK);
    if (tokens != NULL) {
        char *access = text_of(wf_token_set_access_token, tokens);
        char *refresh = text_of(wf_token_set_refresh_token, tokens);
        char *type = text_of(wf_token_set_token_type, tokens);
        char *wid = text_of(wf_token_set_wid, tokens);
        char *instance = text_of(wf_token_set_instance, tokens);
        uint64_t expires_at = 1;
        CHECK_RESULT(wf_token_set_expires_at(tokens, &expires_at), WF_OK);
        CHECK(strlen(access) > 0);
        CHECK(strlen(refresh) > 0);
        CHECK(strcmp(type, "sessionID") == 0);
        CHECK(strlen(wid) > 0);
        CHECK(strcmp(instance, mock_url()) == 0);
        CHECK(expires_at == 0); /* expires_in 0: a sliding session */

        /* The stored form reads back to the same tokens. */
        char *stored = NULL;
        wf_token_set *reread = NULL;
        CHECK_RESULT(wf_token_set_to_json(tokens, &stored), WF_OK);
        CHECK_RESULT(wf_token_set_from_json(stored, &reread), WF_OK);
        char *reread_access = reread != NULL ? text_of(wf_token_set_access_token, reread) : NULL;
        CHECK(reread_access != NULL && strcmp(reread_access, access) == 0);

        /* Refresh: a new session and, with rotation, a new refresh token. */
        wf_token_set *renewed = NULL;
        CHECK_RESULT(wf_oauth_refresh(oauth, tokens, &renewed), WF_OK);
        if (renewed != NULL) {
            char *access2 = text_of(wf_token_set_access_token, renewed);
            char *refresh2 = text_of(wf_token_set_refresh_token, renewed);
            CHECK(strcmp(access2, access) != 0);
            CHECK(strcmp(refresh2, refresh) != 0);
            free(access2);
            free(refresh2);
        }
        wf_token_set_free(renewed);
        wf_token_set_free(reread);
        wf_string_free(stored);
        free(reread_access);
        free(access);
        free(refresh);
        free(type);
        free(wid);
        free(instance);
    }
    wf_token_set_free(tokens);
    free(callback);
    wf_string_free(url);
    wf_string_free(json);
    wf_string_free(restored_url);
    wf_pending_authorization_free(pending);
    wf_pending_authorization_free(restored);
    wf_oauth_free(oauth);
}

static void test_post_and_pkce_styles(void) {
    client_style styles[] = {STYLE_POST, STYLE_PKCE};
    for (size_t i = 0; i < sizeof styles / sizeof styles[0]; i++) {
        wf_oauth *oauth = mock_oauth(styles[i]);
        if (styles[i] == STYLE_PKCE) {
            char *url = authorize_url_of(oauth);
            CHECK(url != NULL && strstr(url, "code_challenge_method=S256") != NULL);
            free(url);
        }
        wf_token_set *tokens = sign_in(oauth);
        CHECK(tokens != NULL);
        wf_token_set *renewed = NULL;
        CHECK_RESULT(wf_oauth_refresh(oauth, tokens, &renewed), WF_OK);
        wf_token_set_free(renewed);
        wf_token_set_free(tokens);
        wf_oauth_free(oauth);
    }
}

static void test_accept_then_exchange_code(void) {
    wf_oauth *oauth = mock_oauth(STYLE_BASIC);
    wf_pending_authorization *pending = NULL;
    wf_authorization_response *response = NULL;
    wf_token_set *tokens = NULL;
    char *url = NULL;
    CHECK_RESULT(wf_oauth_authorize(oauth, &pending), WF_OK);
    CHECK_RESULT(wf_pending_authorization_url(pending, &url), WF_OK);
    char *callback = url != NULL ? follow_authorize(url) : NULL;
    /* Just the query string, as a user may paste it. */
    const char *query = callback != NULL ? strchr(callback, '?') : NULL;
    CHECK(query != NULL);
    if (query != NULL) {
        CHECK_RESULT(wf_oauth_accept_callback(oauth, pending, query, &response), WF_OK);
        CHECK_RESULT(wf_oauth_exchange_code(oauth, response, &tokens), WF_OK);
    }
    wf_token_set_free(tokens);
    wf_authorization_response_free(response);
    free(callback);
    wf_string_free(url);
    wf_pending_authorization_free(pending);
    wf_oauth_free(oauth);
}

static char *request(const wf_client *client, const char *method, const char *path,
                     const char *query, const char *body) {
    uint16_t status = 0;
    char *answer = NULL;
    CHECK_RESULT(wf_client_request(client, method, path, query, body, &status, &answer), WF_OK);
    CHECK(answer == NULL || status == 200);
    return answer != NULL ? take_string(answer) : NULL;
}

static void test_client_over_a_file_store(void) {
    char dir[] = "/tmp/wf-oauth-c-test-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    wf_oauth *oauth = mock_oauth(STYLE_BASIC);
    wf_store *store = NULL;
    wf_client *client = NULL, *second = NULL;
    CHECK_RESULT(wf_file_store_new(dir, &store), WF_OK);
    wf_token_set *tokens = sign_in(oauth);
    CHECK_RESULT(wf_client_login(oauth, store, "alice@mock", tokens, &client), WF_OK);
    /* The store keeps the client alive; the application's reference may go now. */
    wf_store_free(store);
    store = NULL;
    CHECK_RESULT(wf_file_store_new(dir, &store), WF_OK);

    char *projects = request(client, "GET", "proj/search", "$$LIMIT=3&ID_Sort=asc", NULL);
    CHECK(projects != NULL && projects[0] == '[' && strstr(projects, "\"ID\"") != NULL);
    char *created = request(client, "POST", "proj", NULL, "{\"name\":\"Launch from C\"}");
    CHECK(created != NULL && strstr(created, "Launch from C") != NULL);

    /* Another client (another run of the program) opens the stored credential. */
    CHECK_RESULT(wf_client_open(oauth, store, "alice@mock", &second), WF_OK);
    char *count = request(second, "GET", "proj/count", NULL, NULL);
    CHECK(count != NULL && strstr(count, "count") != NULL);

    /* The session ends: the client renews it by itself and the caller never notices. */
    wf_token_set *before = NULL, *after = NULL;
    CHECK_RESULT(wf_client_tokens(client, &before), WF_OK);
    CHECK(mock_admin("sessions/expire", "{}"));
    char *again = request(client, "GET", "proj/search", "$$LIMIT=1", NULL);
    CHECK(again != NULL);
    CHECK_RESULT(wf_client_tokens(client, &after), WF_OK);
    char *access_before = before != NULL ? text_of(wf_token_set_access_token, before) : NULL;
    char *access_after = after != NULL ? text_of(wf_token_set_access_token, after) : NULL;
    CHECK(access_before != NULL && access_after != NULL &&
          strcmp(access_before, access_after) != 0);

    /* The second client's session ended too; it finds the renewed tokens in the store
     * instead of spending the rotated refresh token again. */
    char *from_second = request(second, "GET", "proj/search", "$$LIMIT=1", NULL);
    CHECK(from_second != NULL);

    /* Sign out: the credential is gone, calls ask for a new sign-in. */
    bool reauth = true;
    CHECK_RESULT(wf_client_reauth_required(client, &reauth), WF_OK);
    CHECK(!reauth);
    CHECK_RESULT(wf_client_logout(client), WF_OK);
    CHECK_RESULT(wf_client_reauth_required(client, &reauth), WF_OK);
    CHECK(reauth);
    uint16_t status = 0;
    char *body = NULL;
    CHECK_RESULT(wf_client_request(client, "GET", "proj/search", NULL, NULL, &status, &body),
                 WF_REAUTH_REQUIRED);
    CHECK(body == NULL && status == 0);
    wf_client *third = NULL;
    CHECK_RESULT(wf_client_open(oauth, store, "alice@mock", &third), WF_REAUTH_REQUIRED);
    CHECK(third == NULL);

    free(projects);
    free(created);
    free(count);
    free(again);
    free(from_second);
    free(access_before);
    free(access_after);
    wf_token_set_free(before);
    wf_token_set_free(after);
    wf_token_set_free(tokens);
    wf_client_free(client);
    wf_client_free(second);
    wf_store_free(store);
    wf_oauth_free(oauth);
    char command[128];
    snprintf(command, sizeof command, "rm -rf '%s'", dir);
    CHECK(system(command) == 0);
}

static void test_client_from_tokens(void) {
    wf_oauth *oauth = mock_oauth(STYLE_PKCE);
    wf_token_set *tokens = sign_in(oauth);
    wf_client *client = NULL;
    CHECK_RESULT(wf_client_from_tokens(oauth, tokens, &client), WF_OK);
    /* The OAuth client may go before the API client. */
    wf_oauth_free(oauth);
    char *users = request(client, "GET", "user/search", "$$LIMIT=2", NULL);
    CHECK(users != NULL && users[0] == '[');
    CHECK_RESULT(wf_client_refresh(client), WF_OK);
    char *more = request(client, "GET", "user/count", NULL, NULL);
    CHECK(more != NULL);
    free(users);
    free(more);
    wf_client_free(client);
    wf_token_set_free(tokens);
}

int main(void) {
    test_version();
    test_authorize_exchange_refresh();
    test_post_and_pkce_styles();
    test_accept_then_exchange_code();
    test_client_over_a_file_store();
    test_client_from_tokens();
    return finish();
}
