/*
 * Every wf_result a real scenario can produce, each from the input or the server
 * behaviour that causes it, with its message, HTTP status and retryability; messages
 * never carry a secret; out-parameters stay untouched on failure.
 *
 * WF_PANIC: no input reaches a panic (that would be a bug), so it cannot be provoked
 * from C; the Rust unit tests of the boundary (src/ffi.rs) prove that a panic becomes
 * WF_PANIC with a message, and here only its name is checked.
 */
#include "harness.h"

/* A sentinel that no function may overwrite when it fails. */
#define UNTOUCHED ((void *)0x1)

static uint16_t last_status(void) {
    uint16_t status = 1;
    CHECK_RESULT(wf_last_error_status(&status), WF_OK);
    return status;
}

static bool last_retryable(void) {
    bool retryable = false;
    CHECK_RESULT(wf_last_error_retryable(&retryable), WF_OK);
    return retryable;
}

static char *token_text(wf_result (*read)(const wf_token_set *, char **), const wf_token_set *t) {
    char *out = NULL;
    CHECK_RESULT(read(t, &out), WF_OK);
    return take_string(out);
}

/* An authorization and its authorize URL, for crafting callbacks. */
typedef struct {
    wf_pending_authorization *pending;
    char *url;
    char *state;
} attempt;

static attempt start(const wf_oauth *oauth) {
    attempt a = {NULL, NULL, NULL};
    CHECK_RESULT(wf_oauth_authorize(oauth, &a.pending), WF_OK);
    CHECK_RESULT(wf_pending_authorization_url(a.pending, &a.url), WF_OK);
    a.state = a.url != NULL ? state_of(a.url) : NULL;
    CHECK(a.state != NULL);
    return a;
}

static void done(attempt *a) {
    wf_pending_authorization_free(a->pending);
    wf_string_free(a->url);
    free(a->state);
}

/* Exchanges `query` (formatted with the attempt's state) and checks the result. */
static void exchange_expecting(const wf_oauth *oauth, const attempt *a, const char *query_format,
                               wf_result want) {
    char callback[1024];
    snprintf(callback, sizeof callback, "%s?", MOCK_REDIRECT_URI);
    size_t used = strlen(callback);
    snprintf(callback + used, sizeof callback - used, query_format, a->state);
    wf_token_set *tokens = UNTOUCHED;
    CHECK_RESULT(wf_oauth_exchange(oauth, a->pending, callback, &tokens), want);
    CHECK(tokens == UNTOUCHED);
    CHECK(message_lacks(a->state));
}

static void test_null_parameter_and_invalid_argument(void) {
    wf_config *config = UNTOUCHED;
    CHECK_RESULT(wf_config_new(NULL, MOCK_CLIENT_ID, &config), WF_NULL_PARAMETER);
    CHECK(config == UNTOUCHED);
    CHECK(message_contains("instance"));
    CHECK(last_status() == 0 && !last_retryable());

    /* Plain http to a real host, a port on https, a path: all refused by the core. */
    const char *bad_instances[] = {"http://acme.my.workfront.com", "acme.my.workfront.com:8443",
                                   "https://acme.my.workfront.com/attask", "user@acme.com", ""};
    for (size_t i = 0; i < sizeof bad_instances / sizeof bad_instances[0]; i++) {
        CHECK_RESULT(wf_config_new(bad_instances[i], MOCK_CLIENT_ID, &config), WF_INVALID_ARGUMENT);
        CHECK(config == UNTOUCHED);
    }
    CHECK(message_contains("instance"));
    /* Not UTF-8. */
    CHECK_RESULT(wf_config_new("acme.my.workfront.com", "\xff\xfe", &config), WF_INVALID_ARGUMENT);
    CHECK(message_contains("UTF-8"));

    config = mock_config(STYLE_BASIC);
    CHECK_RESULT(wf_config_set_redirect_uri(config, "not a uri"), WF_INVALID_ARGUMENT);
    CHECK_RESULT(wf_config_set_api_version(config, "20"), WF_INVALID_ARGUMENT);
    CHECK_RESULT(wf_config_set_client_auth(config, 42), WF_INVALID_ARGUMENT);
    CHECK_RESULT(wf_config_set_timeouts(config, 0, 1000), WF_INVALID_ARGUMENT);
    CHECK_RESULT(wf_config_set_retry(config, 0, 1000), WF_INVALID_ARGUMENT);
    CHECK_RESULT(wf_config_set_scope(config, "bad\"scope"), WF_OK);
    wf_oauth *oauth = UNTOUCHED;
    CHECK_RESULT(wf_oauth_new(config, &oauth), WF_INVALID_ARGUMENT);
    CHECK(oauth == UNTOUCHED);
    CHECK(message_contains("scope"));
    wf_config_free(config);

    /* No redirect URI: nothing to authorize with. */
    CHECK_RESULT(wf_config_new(mock_url(), MOCK_CLIENT_ID, &config), WF_OK);
    CHECK_RESULT(wf_oauth_new(config, &oauth), WF_OK);
    wf_pending_authorization *pending = UNTOUCHED;
    CHECK_RESULT(wf_oauth_authorize(oauth, &pending), WF_INVALID_ARGUMENT);
    CHECK(pending == UNTOUCHED);
    CHECK(message_contains("redirect URI"));
    wf_oauth_free(oauth);
    wf_config_free(config);

    /* Stored forms that are not ours (the message never quotes them). */
    wf_token_set *tokens = UNTOUCHED;
    CHECK_RESULT(wf_token_set_from_json("{\"format\":1,\"access_token\":\"leak-me\"}", &tokens),
                 WF_INVALID_ARGUMENT);
    CHECK(tokens == UNTOUCHED && message_lacks("leak-me"));
    CHECK_RESULT(wf_token_set_from_json("{\"format\":99}", &tokens), WF_INVALID_ARGUMENT);
    CHECK(message_contains("99"));
    CHECK_RESULT(wf_pending_authorization_from_json("[]", &pending), WF_INVALID_ARGUMENT);
    CHECK(pending == UNTOUCHED);

    /* Bad requests: method, body, path that is not UTF-8. */
    oauth = mock_oauth(STYLE_BASIC);
    tokens = sign_in(oauth);
    wf_client *client = NULL;
    CHECK_RESULT(wf_client_from_tokens(oauth, tokens, &client), WF_OK);
    uint16_t status = 7;
    char *body = UNTOUCHED;
    CHECK_RESULT(wf_client_request(client, "BREW", "proj/search", NULL, NULL, &status, &body),
                 WF_INVALID_ARGUMENT);
    CHECK(message_contains("BREW"));
    CHECK_RESULT(wf_client_request(client, "POST", "proj", NULL, "{\"name\": secret-value}",
                                   &status, &body),
                 WF_INVALID_ARGUMENT);
    CHECK(message_lacks("secret-value"));
    CHECK_RESULT(wf_client_request(client, "GET", "proj/\xff", NULL, NULL, &status, &body),
                 WF_INVALID_ARGUMENT);
    CHECK(status == 7 && body == UNTOUCHED);
    wf_client_free(client);
    wf_token_set_free(tokens);
    wf_oauth_free(oauth);
}

static void test_callback_errors(void) {
    wf_oauth *oauth = mock_oauth(STYLE_BASIC);
    attempt a = start(oauth);
    if (a.state != NULL) {
        /* A forged or stale callback: another state, or none. */
        exchange_expecting(oauth, &a, "code=forged&state=not-%s", WF_STATE_MISMATCH);
        CHECK(message_contains("state"));
        exchange_expecting(oauth, &a, "code=forged&domain=mock&lane=my%.0s", WF_STATE_MISMATCH);
        /* Sent to another address than the redirect URI. */
        wf_token_set *tokens = UNTOUCHED;
        char callback[512];
        snprintf(callback, sizeof callback, "http://127.0.0.1:9/elsewhere?code=c&state=%s",
                 a.state);
        CHECK_RESULT(wf_oauth_exchange(oauth, a.pending, callback, &tokens), WF_STATE_MISMATCH);
        CHECK(tokens == UNTOUCHED);
        /* The user said no. */
        exchange_expecting(oauth, &a,
                           "error=access_denied&error_description=The+user+said+no&state=%s",
                           WF_AUTHORIZATION_DENIED);
        CHECK(message_contains("The user said no"));
        /* The authorization server failed otherwise. */
        exchange_expecting(oauth, &a, "error=server_error&state=%s", WF_AUTHORIZATION_FAILED);
        CHECK(message_contains("server_error"));
        /* A callback without code, and one with a repeated parameter. */
        exchange_expecting(oauth, &a, "state=%s&domain=mock&lane=my", WF_PROTOCOL);
        exchange_expecting(oauth, &a, "code=a&code=b&state=%s", WF_PROTOCOL);
        /* A domain that is no DNS label. */
        exchange_expecting(oauth, &a, "code=a&domain=evil.com%%2Fx&lane=my&state=%s",
                           WF_INVALID_ARGUMENT);
        /* The same errors from the two-step API. */
        wf_authorization_response *response = UNTOUCHED;
        CHECK_RESULT(wf_oauth_accept_callback(oauth, a.pending, "?code=x&state=wrong", &response),
                     WF_STATE_MISMATCH);
        CHECK(response == UNTOUCHED);
    }
    done(&a);
    wf_oauth_free(oauth);
}

/* A clock the test moves by hand. */
static uint64_t now_secs = 1700000000;
static uint64_t test_clock(void *userdata) {
    return *(const uint64_t *)userdata;
}

static void test_code_expired(void) {
    wf_config *config = mock_config(STYLE_BASIC);
    CHECK_RESULT(wf_config_set_clock(config, test_clock, &now_secs), WF_OK);
    wf_oauth *oauth = NULL;
    CHECK_RESULT(wf_oauth_new(config, &oauth), WF_OK);
    wf_config_free(config);
    attempt a = start(oauth);
    char *callback = a.url != NULL ? follow_authorize(a.url) : NULL;
    wf_authorization_response *response = NULL;
    CHECK_RESULT(wf_oauth_accept_callback(oauth, a.pending, callback, &response), WF_OK);
    /* The code lives two minutes from the callback's arrival. */
    now_secs += 121;
    wf_token_set *tokens = UNTOUCHED;
    CHECK_RESULT(wf_oauth_exchange_code(oauth, response, &tokens), WF_CODE_EXPIRED);
    CHECK(tokens == UNTOUCHED);
    CHECK(message_contains("121 s old"));
    CHECK(!last_retryable());
    /* Within the two minutes the same kind of exchange works. */
    wf_authorization_response_free(response);
    response = NULL;
    done(&a);
    free(callback);
    a = start(oauth);
    callback = a.url != NULL ? follow_authorize(a.url) : NULL;
    CHECK_RESULT(wf_oauth_accept_callback(oauth, a.pending, callback, &response), WF_OK);
    now_secs += 119;
    tokens = NULL;
    CHECK_RESULT(wf_oauth_exchange_code(oauth, response, &tokens), WF_OK);
    wf_token_set_free(tokens);
    wf_authorization_response_free(response);
    free(callback);
    done(&a);
    wf_oauth_free(oauth);
}

static void test_token_endpoint_errors(void) {
    /* A wrong client secret: invalid_client, 401. */
    wf_config *config = mock_config(STYLE_POST);
    CHECK_RESULT(wf_config_set_client_secret(config, "wrong-secret-value"), WF_OK);
    wf_oauth *wrong = NULL;
    CHECK_RESULT(wf_oauth_new(config, &wrong), WF_OK);
    wf_config_free(config);
    attempt a = start(wrong);
    char *callback = a.url != NULL ? follow_authorize(a.url) : NULL;
    wf_token_set *tokens = UNTOUCHED;
    CHECK_RESULT(wf_oauth_exchange(wrong, a.pending, callback, &tokens), WF_TOKEN_ENDPOINT);
    CHECK(tokens == UNTOUCHED);
    CHECK(message_contains("invalid_client"));
    CHECK(message_lacks("wrong-secret-value"));
    const char *code = callback != NULL ? strstr(callback, "code=") : NULL;
    if (code != NULL) {
        char code_value[128];
        snprintf(code_value, sizeof code_value, "%.*s", (int)strcspn(code + 5, "&"), code + 5);
        CHECK(message_lacks(code_value));
    }
    CHECK(last_status() == 401);
    free(callback);
    done(&a);
    wf_oauth_free(wrong);

    /* A temporary failure of the token endpoint, injected into the fake: not retried for
     * a refresh (the server may have rotated), reported as retryable. */
    wf_oauth *oauth = mock_oauth(STYLE_BASIC);
    wf_token_set *signed_in = sign_in(oauth);
    CHECK(mock_admin("faults", "{\"endpoint\":\"refresh_token\",\"count\":1,\"fault\":"
                               "{\"kind\":\"status\",\"status\":503,\"body\":"
                               "{\"error\":\"temporarily_unavailable\"}}}"));
    CHECK_RESULT(wf_oauth_refresh(oauth, signed_in, &tokens), WF_TOKEN_ENDPOINT);
    CHECK(tokens == UNTOUCHED);
    CHECK(last_status() == 503 && last_retryable());
    CHECK(message_contains("temporarily_unavailable"));

    /* A gateway's HTML page where JSON was expected: the server broke the protocol. */
    CHECK(mock_admin("faults", "{\"endpoint\":\"refresh_token\",\"count\":1,\"fault\":"
                               "{\"kind\":\"html\",\"status\":502}}"));
    CHECK_RESULT(wf_oauth_refresh(oauth, signed_in, &tokens), WF_PROTOCOL);
    CHECK(last_status() == 502);

    /* A revoked refresh token: the user must sign in again. */
    char *refresh = signed_in != NULL ? token_text(wf_token_set_refresh_token, signed_in) : NULL;
    CHECK(mock_admin("refresh-tokens/revoke", "{}"));
    CHECK_RESULT(wf_oauth_refresh(oauth, signed_in, &tokens), WF_REAUTH_REQUIRED);
    CHECK(tokens == UNTOUCHED);
    CHECK(message_contains("invalid_grant"));
    CHECK(message_lacks(refresh));
    CHECK(!last_retryable());
    free(refresh);
    wf_token_set_free(signed_in);
    wf_oauth_free(oauth);
}

static void test_client_errors(void) {
    wf_oauth *oauth = mock_oauth(STYLE_BASIC);
    wf_token_set *tokens = sign_in(oauth);
    wf_store *store = NULL;
    wf_client *client = NULL;
    CHECK_RESULT(wf_memory_store_new(&store), WF_OK);
    CHECK_RESULT(wf_client_login(oauth, store, "k", tokens, &client), WF_OK);
    uint16_t status = 7;
    char *body = UNTOUCHED;

    /* API errors carry their HTTP status. */
    CHECK_RESULT(wf_client_request(client, "GET", "proj/search", "$$LIMIT=5000", NULL, &status,
                                   &body),
                 WF_API_ERROR);
    CHECK(status == 7 && body == UNTOUCHED);
    CHECK(last_status() == 400);
    CHECK_RESULT(wf_client_request(client, "GET", "nosuchobject/search", NULL, NULL, &status,
                                   &body),
                 WF_API_ERROR);
    CHECK(last_status() == 404);
    /* Workfront's error inside an HTTP 200. */
    CHECK(mock_admin("faults", "{\"endpoint\":\"api\",\"count\":1,\"fault\":{\"kind\":"
                               "\"ok_with_error\",\"class\":\"com.attask.common.X\","
                               "\"message\":\"Nope from Workfront\"}}"));
    CHECK_RESULT(wf_client_request(client, "GET", "proj/count", NULL, NULL, &status, &body),
                 WF_API_ERROR);
    CHECK(message_contains("Nope from Workfront"));

    /* The session ends and the refresh token was revoked: sign in again. */
    char *access = tokens != NULL ? token_text(wf_token_set_access_token, tokens) : NULL;
    CHECK(mock_admin("refresh-tokens/revoke", "{}"));
    CHECK(mock_admin("sessions/expire", "{}"));
    CHECK_RESULT(wf_client_request(client, "GET", "proj/search", NULL, NULL, &status, &body),
                 WF_REAUTH_REQUIRED);
    CHECK(message_lacks(access));
    bool reauth = false;
    CHECK_RESULT(wf_client_reauth_required(client, &reauth), WF_OK);
    CHECK(reauth);
    /* …and it stays so, without asking the server again. */
    CHECK_RESULT(wf_client_refresh(client), WF_REAUTH_REQUIRED);
    free(access);

    /* Nothing stored under a key. */
    wf_client *missing = UNTOUCHED;
    CHECK_RESULT(wf_client_open(oauth, store, "nobody", &missing), WF_REAUTH_REQUIRED);
    CHECK(missing == UNTOUCHED);

    /* A directory that cannot be created. */
    wf_store *file_store = UNTOUCHED;
    CHECK_RESULT(wf_file_store_new("/dev/null/tokens", &file_store), WF_STORAGE);
    CHECK(file_store == UNTOUCHED);

    wf_client_free(client);
    wf_store_free(store);
    wf_token_set_free(tokens);
    wf_oauth_free(oauth);
}

static void test_transport_error(void) {
    /* Port 1 on loopback: nothing listens, the connection is refused. */
    wf_config *config = NULL;
    CHECK_RESULT(wf_config_new("http://127.0.0.1:1", MOCK_CLIENT_ID, &config), WF_OK);
    CHECK_RESULT(wf_config_set_client_secret(config, MOCK_CLIENT_SECRET), WF_OK);
    CHECK_RESULT(wf_config_set_redirect_uri(config, MOCK_REDIRECT_URI), WF_OK);
    CHECK_RESULT(wf_config_set_timeouts(config, 1000, 2000), WF_OK);
    CHECK_RESULT(wf_config_set_retry(config, 2, 500), WF_OK);
    wf_oauth *oauth = NULL;
    CHECK_RESULT(wf_oauth_new(config, &oauth), WF_OK);
    wf_config_free(config);
    attempt a = start(oauth);
    if (a.state != NULL) {
        exchange_expecting(oauth, &a, "code=some-code&state=%s", WF_TRANSPORT);
        CHECK(last_retryable());
        CHECK(last_status() == 0);
        CHECK(message_lacks("some-code"));
    }
    done(&a);
    wf_oauth_free(oauth);
}

static int failing_load(void *userdata, const char *key, wf_document *document) {
    (void)userdata, (void)key, (void)document;
    return WF_STORE_FAILED;
}
static int failing_save(void *userdata, const char *key, const char *document) {
    (void)userdata, (void)key, (void)document;
    return WF_STORE_FAILED;
}
static int failing_remove(void *userdata, const char *key) {
    (void)userdata, (void)key;
    return 17;
}

static void test_storage_error(void) {
    wf_store_callbacks callbacks = {NULL, failing_load, failing_save, failing_remove, NULL};
    wf_store *store = NULL;
    CHECK_RESULT(wf_callback_store_new(&callbacks, &store), WF_OK);
    wf_oauth *oauth = mock_oauth(STYLE_BASIC);
    wf_token_set *tokens = sign_in(oauth);
    char *access = tokens != NULL ? token_text(wf_token_set_access_token, tokens) : NULL;
    wf_client *client = UNTOUCHED;
    CHECK_RESULT(wf_client_login(oauth, store, "k", tokens, &client), WF_STORAGE);
    CHECK(client == UNTOUCHED);
    CHECK(message_contains("callback failed"));
    CHECK(message_lacks(access));
    CHECK_RESULT(wf_client_open(oauth, store, "k", &client), WF_STORAGE);
    CHECK(client == UNTOUCHED);
    /* All three callbacks are required. */
    wf_store_callbacks incomplete = {NULL, failing_load, NULL, failing_remove, NULL};
    wf_store *refused = UNTOUCHED;
    CHECK_RESULT(wf_callback_store_new(&incomplete, &refused), WF_INVALID_ARGUMENT);
    CHECK(refused == UNTOUCHED);
    free(access);
    wf_token_set_free(tokens);
    wf_store_free(store);
    wf_oauth_free(oauth);
}

static void test_result_names(void) {
    const char *names[] = {"WF_OK", "WF_NULL_PARAMETER", "WF_INVALID_ARGUMENT",
                           "WF_STATE_MISMATCH", "WF_AUTHORIZATION_DENIED",
                           "WF_AUTHORIZATION_FAILED", "WF_CODE_EXPIRED", "WF_REAUTH_REQUIRED",
                           "WF_TOKEN_ENDPOINT", "WF_API_ERROR", "WF_TRANSPORT", "WF_STORAGE",
                           "WF_PROTOCOL", "WF_PANIC"};
    for (int i = 0; i < (int)(sizeof names / sizeof names[0]); i++) {
        CHECK(strcmp(wf_result_name(i), names[i]) == 0);
    }
    CHECK(strcmp(wf_result_name(-1), "WF_UNKNOWN") == 0);
    /* A successful call clears the last error. */
    wf_store *store = NULL;
    CHECK_RESULT(wf_memory_store_new(&store), WF_OK);
    char *message = UNTOUCHED;
    CHECK_RESULT(wf_last_error_message(&message), WF_OK);
    CHECK(message == NULL);
    CHECK(last_status() == 0 && !last_retryable());
    wf_store_free(store);
}

int main(void) {
    test_null_parameter_and_invalid_argument();
    test_callback_errors();
    test_code_expired();
    test_token_endpoint_errors();
    test_client_errors();
    test_transport_error();
    test_storage_error();
    test_result_names();
    return finish();
}
