/*
 * Eight threads share one client across a session expiry: every call succeeds and the
 * fake Workfront sees exactly one refresh (its /__mock/stats), twice in a row.
 */
#include "harness.h"

#include <pthread.h>

#define THREADS 8

typedef struct {
    const wf_client *client;
    pthread_barrier_t *start;
    wf_result result;
    bool has_data;
} worker;

static void *run_worker(void *arg) {
    worker *w = arg;
    uint16_t status = 0;
    char *body = NULL;
    /* All threads call at the same moment, with the same expired session. */
    pthread_barrier_wait(w->start);
    w->result = wf_client_request(w->client, "GET", "proj/search", "$$LIMIT=2&ID_Sort=asc", NULL,
                                  &status, &body);
    w->has_data = body != NULL && body[0] == '[' && status == 200;
    wf_string_free(body);
    return NULL;
}

static void storm(const wf_client *client) {
    CHECK(mock_admin("reset-stats", "{}"));
    CHECK(mock_admin("sessions/expire", "{}"));
    pthread_barrier_t start;
    CHECK(pthread_barrier_init(&start, NULL, THREADS) == 0);
    pthread_t threads[THREADS];
    worker workers[THREADS];
    for (int i = 0; i < THREADS; i++) {
        workers[i] = (worker){client, &start, WF_PANIC, false};
        CHECK(pthread_create(&threads[i], NULL, run_worker, &workers[i]) == 0);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(threads[i], NULL);
        CHECK_RESULT(workers[i].result, WF_OK);
        CHECK(workers[i].has_data);
    }
    pthread_barrier_destroy(&start);
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
        storm(client);
        storm(client);
    }
    wf_client_free(client);
    wf_token_set_free(tokens);
    wf_store_free(store);
    wf_oauth_free(oauth);
    return finish();
}
