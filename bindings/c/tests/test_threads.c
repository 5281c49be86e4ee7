/*
 * Eight threads share one client across a session expiry: every call succeeds and the
 * fake Workfront sees exactly one refresh (its /__mock/stats), twice in a row.
 */
#include "harness.h"

#define THREADS 8

static void expired_session_storm(const wf_client *client) {
    CHECK(mock_admin("reset-stats", "{}"));
    CHECK(mock_admin("sessions/expire", "{}"));
    storm(client, THREADS);
    long refreshes = mock_grants("refresh_token");
    if (!CHECK(refreshes == 1)) {
        fprintf(stderr, "  %ld refreshes\n", refreshes);
    }
}

int main(void) {
    wf_oauth *oauth = mock_oauth(STYLE_BASIC);
    wf_store *store = NULL;
    CHECK_RESULT(wf_memory_store_new(&store), WF_OK);
    wf_token_set *tokens = sign_in(oauth);
    wf_client *client = NULL;
    CHECK_RESULT(wf_client_login(oauth, store, "shared", tokens, &client), WF_OK);
    if (client != NULL) {
        expired_session_storm(client);
        expired_session_storm(client);
    }
    wf_client_free(client);
    wf_token_set_free(tokens);
    wf_store_free(store);
    wf_oauth_free(oauth);
    return finish();
}
