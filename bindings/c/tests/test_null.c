/*
 * NULL for every pointer parameter of every function: WF_NULL_PARAMETER, out-parameters
 * untouched, a message naming the parameter; NULL to every _free function is harmless.
 * tests/run.sh checks that every function of wf_oauth.h appears in this file.
 *
 * Runs without a server: the pointers are checked before anything else happens.
 */
#include "harness.h"

#define UNTOUCHED ((void *)0x1)
#define EXPECT_NULL(call) CHECK_RESULT((call), WF_NULL_PARAMETER)

static const char *TOKENS_JSON =
    "{\"format\":1,\"access_token\":\"a\",\"refresh_token\":\"r\",\"token_type\":\"sessionID\","
    "\"instance\":\"https://acme.my.workfront.com\",\"obtained_at\":1700000000}";

static wf_result document_with_null_text = WF_OK;
static wf_result null_document = WF_OK;

static int probing_load(void *userdata, const char *key, wf_document *document) {
    (void)userdata, (void)key;
    document_with_null_text = wf_document_set(document, NULL);
    null_document = wf_document_set(NULL, "{}");
    return WF_STORE_NOT_FOUND;
}
static int ok_save(void *userdata, const char *key, const char *document) {
    (void)userdata, (void)key, (void)document;
    return WF_STORE_OK;
}
static int ok_remove(void *userdata, const char *key) {
    (void)userdata, (void)key;
    return WF_STORE_OK;
}
static uint64_t fixed_clock(void *userdata) {
    (void)userdata;
    return 1700000000;
}

int main(void) {
    /* Live handles for the parameters that are not under test. */
    wf_config *config = NULL;
    wf_oauth *oauth = NULL;
    wf_pending_authorization *pending = NULL;
    wf_authorization_response *response = NULL;
    wf_token_set *tokens = NULL;
    wf_store *store = NULL;
    wf_client *client = NULL;
    char *url = NULL;
    CHECK_RESULT(wf_config_new("acme.my.workfront.com", "id", &config), WF_OK);
    CHECK_RESULT(wf_config_set_redirect_uri(config, "https://app.example.com/cb"), WF_OK);
    CHECK_RESULT(wf_oauth_new(config, &oauth), WF_OK);
    CHECK_RESULT(wf_oauth_authorize(oauth, &pending), WF_OK);
    CHECK_RESULT(wf_pending_authorization_url(pending, &url), WF_OK);
    char *state = url != NULL ? state_of(url) : NULL;
    char callback[512];
    snprintf(callback, sizeof callback, "?code=c&state=%s", state != NULL ? state : "");
    CHECK_RESULT(wf_oauth_accept_callback(oauth, pending, callback, &response), WF_OK);
    CHECK_RESULT(wf_token_set_from_json(TOKENS_JSON, &tokens), WF_OK);
    CHECK_RESULT(wf_memory_store_new(&store), WF_OK);
    CHECK_RESULT(wf_client_from_tokens(oauth, tokens, &client), WF_OK);
    if (config == NULL || oauth == NULL || pending == NULL || response == NULL || tokens == NULL ||
        store == NULL || client == NULL) {
        return finish();
    }

    void *out = UNTOUCHED;
    char *text = UNTOUCHED;
    uint16_t status = 7;
    uint64_t number = 7;
    bool flag = true;

    /* Configuration. */
    EXPECT_NULL(wf_config_new(NULL, "id", (wf_config **)&out));
    CHECK(message_contains("instance"));
    EXPECT_NULL(wf_config_new("acme.my.workfront.com", NULL, (wf_config **)&out));
    CHECK(message_contains("client_id"));
    EXPECT_NULL(wf_config_new("acme.my.workfront.com", "id", NULL));
    CHECK(message_contains("config_out"));
    EXPECT_NULL(wf_config_set_client_secret(NULL, "s"));
    CHECK(message_contains("config"));
    EXPECT_NULL(wf_config_set_client_secret(config, NULL));
    CHECK(message_contains("secret"));
    EXPECT_NULL(wf_config_set_redirect_uri(NULL, "https://app.example.com/cb"));
    EXPECT_NULL(wf_config_set_redirect_uri(config, NULL));
    CHECK(message_contains("redirect_uri"));
    EXPECT_NULL(wf_config_set_api_version(NULL, "v20.0"));
    EXPECT_NULL(wf_config_set_api_version(config, NULL));
    EXPECT_NULL(wf_config_set_scope(NULL, "offline_access"));
    EXPECT_NULL(wf_config_set_scope(config, NULL));
    EXPECT_NULL(wf_config_set_client_auth(NULL, WF_CLIENT_AUTH_POST));
    EXPECT_NULL(wf_config_set_pkce(NULL, true));
    EXPECT_NULL(wf_config_set_issuer(NULL, "https://ims-na1.adobelogin.com"));
    EXPECT_NULL(wf_config_set_issuer(config, NULL));
    EXPECT_NULL(wf_config_set_require_issuer(NULL, true));
    EXPECT_NULL(wf_config_set_accept_missing_state(NULL, true));
    EXPECT_NULL(wf_config_set_refresh_skew(NULL, 30));
    EXPECT_NULL(wf_config_set_timeouts(NULL, 1000, 1000));
    EXPECT_NULL(wf_config_set_retry(NULL, 1, 1000));
    EXPECT_NULL(wf_config_set_clock(NULL, fixed_clock, NULL));
    EXPECT_NULL(wf_config_set_provider_workfront_legacy(NULL));
    CHECK(message_contains("config"));
    EXPECT_NULL(wf_config_set_provider_adobe_ims(NULL, "https://ims-na1.adobelogin.com"));
    CHECK(message_contains("config"));
    EXPECT_NULL(wf_config_set_provider_generic(NULL, "https://a.example.com/authorize",
                                               "https://a.example.com/token"));
    EXPECT_NULL(wf_config_set_provider_generic(config, NULL, "https://a.example.com/token"));
    CHECK(message_contains("authorize_url"));
    EXPECT_NULL(wf_config_set_provider_generic(config, "https://a.example.com/authorize", NULL));
    CHECK(message_contains("token_url"));
    /* A NULL IMS base is not an error: it means https://ims-na1.adobelogin.com. */
    CHECK_RESULT(wf_config_set_provider_adobe_ims(config, NULL), WF_OK);
    CHECK_RESULT(wf_config_set_provider_workfront_legacy(config), WF_OK);
    /* A NULL clock function is not an error: it restores the system clock. */
    CHECK_RESULT(wf_config_set_clock(config, NULL, NULL), WF_OK);

    /* OAuth flow. */
    EXPECT_NULL(wf_oauth_new(NULL, (wf_oauth **)&out));
    EXPECT_NULL(wf_oauth_new(config, NULL));
    CHECK(message_contains("oauth_out"));
    EXPECT_NULL(wf_oauth_authorize(NULL, (wf_pending_authorization **)&out));
    EXPECT_NULL(wf_oauth_authorize(oauth, NULL));
    EXPECT_NULL(wf_pending_authorization_url(NULL, &text));
    EXPECT_NULL(wf_pending_authorization_url(pending, NULL));
    EXPECT_NULL(wf_pending_authorization_to_json(NULL, &text));
    EXPECT_NULL(wf_pending_authorization_to_json(pending, NULL));
    EXPECT_NULL(wf_pending_authorization_from_json(NULL, (wf_pending_authorization **)&out));
    EXPECT_NULL(wf_pending_authorization_from_json("{}", NULL));
    EXPECT_NULL(wf_oauth_accept_callback(NULL, pending, callback,
                                         (wf_authorization_response **)&out));
    EXPECT_NULL(wf_oauth_accept_callback(oauth, NULL, callback,
                                         (wf_authorization_response **)&out));
    EXPECT_NULL(wf_oauth_accept_callback(oauth, pending, NULL,
                                         (wf_authorization_response **)&out));
    CHECK(message_contains("callback"));
    EXPECT_NULL(wf_oauth_accept_callback(oauth, pending, callback, NULL));
    EXPECT_NULL(wf_oauth_exchange(NULL, pending, callback, (wf_token_set **)&out));
    EXPECT_NULL(wf_oauth_exchange(oauth, NULL, callback, (wf_token_set **)&out));
    EXPECT_NULL(wf_oauth_exchange(oauth, pending, NULL, (wf_token_set **)&out));
    EXPECT_NULL(wf_oauth_exchange(oauth, pending, callback, NULL));
    EXPECT_NULL(wf_oauth_exchange_code(NULL, response, (wf_token_set **)&out));
    EXPECT_NULL(wf_oauth_exchange_code(oauth, NULL, (wf_token_set **)&out));
    EXPECT_NULL(wf_oauth_exchange_code(oauth, response, NULL));
    EXPECT_NULL(wf_oauth_refresh(NULL, tokens, (wf_token_set **)&out));
    EXPECT_NULL(wf_oauth_refresh(oauth, NULL, (wf_token_set **)&out));
    EXPECT_NULL(wf_oauth_refresh(oauth, tokens, NULL));
    EXPECT_NULL(wf_oauth_client_credentials(NULL, (wf_token_set **)&out));
    CHECK(message_contains("oauth"));
    EXPECT_NULL(wf_oauth_client_credentials(oauth, NULL));
    CHECK(message_contains("tokens_out"));

    /* Token sets. */
    EXPECT_NULL(wf_token_set_from_json(NULL, (wf_token_set **)&out));
    EXPECT_NULL(wf_token_set_from_json(TOKENS_JSON, NULL));
    wf_result (*readers[])(const wf_token_set *, char **) = {
        wf_token_set_to_json, wf_token_set_access_token, wf_token_set_refresh_token,
        wf_token_set_token_type, wf_token_set_wid, wf_token_set_instance};
    for (size_t i = 0; i < sizeof readers / sizeof readers[0]; i++) {
        EXPECT_NULL(readers[i](NULL, &text));
        EXPECT_NULL(readers[i](tokens, NULL));
    }
    EXPECT_NULL(wf_token_set_expires_at(NULL, &number));
    EXPECT_NULL(wf_token_set_expires_at(tokens, NULL));

    /* Stores. */
    EXPECT_NULL(wf_file_store_new(NULL, (wf_store **)&out));
    EXPECT_NULL(wf_file_store_new("/tmp", NULL));
    EXPECT_NULL(wf_memory_store_new(NULL));
    wf_store_callbacks callbacks = {NULL, probing_load, ok_save, ok_remove, NULL};
    EXPECT_NULL(wf_callback_store_new(NULL, (wf_store **)&out));
    EXPECT_NULL(wf_callback_store_new(&callbacks, NULL));
    wf_store *probing = NULL;
    CHECK_RESULT(wf_callback_store_new(&callbacks, &probing), WF_OK);
    wf_client *opened = NULL;
    CHECK_RESULT(wf_client_open(oauth, probing, "k", &opened), WF_REAUTH_REQUIRED);
    /* wf_document_set, called from inside the load callback. */
    CHECK(document_with_null_text == WF_NULL_PARAMETER);
    CHECK(null_document == WF_NULL_PARAMETER);
    EXPECT_NULL(wf_document_set(NULL, "{}"));
    wf_store_free(probing);
    EXPECT_NULL(wf_shared_callback_store_new(NULL, (wf_store **)&out));
    wf_shared_store_callbacks shared = {0};
    EXPECT_NULL(wf_shared_callback_store_new(&shared, NULL));
    bool passed = false;
    char *report = NULL;
    EXPECT_NULL(wf_store_verify(NULL, "k", &passed, &report));
    EXPECT_NULL(wf_store_verify(store, NULL, &passed, &report));
    EXPECT_NULL(wf_store_verify(store, "k", NULL, &report));
    EXPECT_NULL(wf_store_verify(store, "k", &passed, NULL));

    /* Clients. */
    EXPECT_NULL(wf_client_login(NULL, store, "k", tokens, (wf_client **)&out));
    EXPECT_NULL(wf_client_login(oauth, NULL, "k", tokens, (wf_client **)&out));
    EXPECT_NULL(wf_client_login(oauth, store, NULL, tokens, (wf_client **)&out));
    EXPECT_NULL(wf_client_login(oauth, store, "k", NULL, (wf_client **)&out));
    EXPECT_NULL(wf_client_login(oauth, store, "k", tokens, NULL));
    EXPECT_NULL(wf_client_open(NULL, store, "k", (wf_client **)&out));
    EXPECT_NULL(wf_client_open(oauth, NULL, "k", (wf_client **)&out));
    EXPECT_NULL(wf_client_open(oauth, store, NULL, (wf_client **)&out));
    EXPECT_NULL(wf_client_open(oauth, store, "k", NULL));
    EXPECT_NULL(wf_client_from_tokens(NULL, tokens, (wf_client **)&out));
    EXPECT_NULL(wf_client_from_tokens(oauth, NULL, (wf_client **)&out));
    EXPECT_NULL(wf_client_from_tokens(oauth, tokens, NULL));
    EXPECT_NULL(wf_client_client_credentials(NULL, (wf_client **)&out));
    CHECK(message_contains("oauth"));
    EXPECT_NULL(wf_client_client_credentials(oauth, NULL));
    CHECK(message_contains("client_out"));
    EXPECT_NULL(wf_client_open_client_credentials(NULL, store, "k", (wf_client **)&out));
    CHECK(message_contains("oauth"));
    EXPECT_NULL(wf_client_open_client_credentials(oauth, NULL, "k", (wf_client **)&out));
    CHECK(message_contains("store"));
    EXPECT_NULL(wf_client_open_client_credentials(oauth, store, NULL, (wf_client **)&out));
    CHECK(message_contains("key"));
    EXPECT_NULL(wf_client_open_client_credentials(oauth, store, "k", NULL));
    CHECK(message_contains("client_out"));
    EXPECT_NULL(wf_client_request(NULL, "GET", "proj/search", NULL, NULL, &status, &text));
    EXPECT_NULL(wf_client_request(client, NULL, "proj/search", NULL, NULL, &status, &text));
    CHECK(message_contains("method"));
    EXPECT_NULL(wf_client_request(client, "GET", NULL, NULL, NULL, &status, &text));
    CHECK(message_contains("path"));
    EXPECT_NULL(wf_client_request(client, "GET", "proj/search", NULL, NULL, NULL, &text));
    CHECK(message_contains("status_out"));
    EXPECT_NULL(wf_client_request(client, "GET", "proj/search", NULL, NULL, &status, NULL));
    CHECK(message_contains("body_out"));
    EXPECT_NULL(wf_client_refresh(NULL));
    EXPECT_NULL(wf_client_logout(NULL));
    EXPECT_NULL(wf_client_tokens(NULL, (wf_token_set **)&out));
    EXPECT_NULL(wf_client_tokens(client, NULL));
    EXPECT_NULL(wf_client_reauth_required(NULL, &flag));
    EXPECT_NULL(wf_client_reauth_required(client, NULL));

    /* The last error itself: a NULL out-parameter is refused and the error is kept. */
    EXPECT_NULL(wf_client_tokens(client, NULL));
    EXPECT_NULL(wf_last_error_message(NULL));
    EXPECT_NULL(wf_last_error_status(NULL));
    EXPECT_NULL(wf_last_error_retryable(NULL));
    CHECK(message_contains("tokens_out"));

    /* Nothing was written anywhere. */
    CHECK(out == UNTOUCHED && text == UNTOUCHED && status == 7 && number == 7 && flag);

    /* Every _free function accepts NULL; wf_string_free too. */
    wf_config_free(NULL);
    wf_oauth_free(NULL);
    wf_pending_authorization_free(NULL);
    wf_authorization_response_free(NULL);
    wf_token_set_free(NULL);
    wf_store_free(NULL);
    wf_client_free(NULL);
    wf_string_free(NULL);
    CHECK(wf_version() != NULL && wf_result_name(WF_NULL_PARAMETER) != NULL);

    wf_client_free(client);
    wf_store_free(store);
    wf_token_set_free(tokens);
    wf_authorization_response_free(response);
    wf_pending_authorization_free(pending);
    wf_string_free(url);
    free(state);
    wf_oauth_free(oauth);
    wf_config_free(config);
    return finish();
}
