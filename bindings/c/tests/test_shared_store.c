/*
 * Stores written in C and checked with the library's conformance suite: a plain key-value
 * store (safe within one process) and a shared one with an atomic compare-and-swap and
 * leases (safe across processes), and two clients sharing one store renewing the
 * credential once per expiry.
 */
#include "harness.h"

#include <pthread.h>
#include <time.h>

#define SLOTS 64
#define NO_GENERATION UINT64_MAX

typedef struct {
    pthread_mutex_t lock;
    char *keys[SLOTS];
    char *documents[SLOTS];
    uint64_t generations[SLOTS];
    char *lease_keys[SLOTS];
    char *lease_owners[SLOTS];
    uint64_t lease_until_ms[SLOTS];
} shared_backend;

static uint64_t now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000u + (uint64_t)t.tv_nsec / 1000000u;
}

static int slot_of(char **keys, const char *key, bool create) {
    int free_slot = -1;
    for (int i = 0; i < SLOTS; i++) {
        if (keys[i] != NULL && strcmp(keys[i], key) == 0) {
            return i;
        }
        if (keys[i] == NULL && free_slot < 0) {
            free_slot = i;
        }
    }
    if (create && free_slot >= 0) {
        keys[free_slot] = strdup(key);
    }
    return create ? free_slot : -1;
}

/* The document's own "generation", or NO_GENERATION when it cannot be read. */
static uint64_t generation_of(const char *document) {
    const char *at = strstr(document, "\"generation\":");
    if (at == NULL) {
        return NO_GENERATION;
    }
    at += strlen("\"generation\":");
    while (*at == ' ') {
        at++;
    }
    char *end = NULL;
    unsigned long long g = strtoull(at, &end, 10);
    return end == at ? NO_GENERATION : (uint64_t)g;
}

static void put(shared_backend *b, int i, const char *document, uint64_t generation) {
    free(b->documents[i]);
    b->documents[i] = strdup(document);
    b->generations[i] = generation;
}

static int load(void *userdata, const char *key, wf_document *document) {
    shared_backend *b = userdata;
    pthread_mutex_lock(&b->lock);
    int i = slot_of(b->keys, key, false);
    int result = WF_STORE_NOT_FOUND;
    if (i >= 0 && b->documents[i] != NULL) {
        result = wf_document_set(document, b->documents[i]) == WF_OK ? WF_STORE_OK : WF_STORE_FAILED;
    }
    pthread_mutex_unlock(&b->lock);
    return result;
}

static int save(void *userdata, const char *key, const char *document) {
    shared_backend *b = userdata;
    pthread_mutex_lock(&b->lock);
    int i = slot_of(b->keys, key, true);
    if (i >= 0) {
        put(b, i, document, generation_of(document));
    }
    pthread_mutex_unlock(&b->lock);
    return i >= 0 ? WF_STORE_OK : WF_STORE_FAILED;
}

static int remove_key(void *userdata, const char *key) {
    shared_backend *b = userdata;
    pthread_mutex_lock(&b->lock);
    int i = slot_of(b->keys, key, false);
    if (i >= 0) {
        free(b->documents[i]);
        b->documents[i] = NULL;
        b->generations[i] = NO_GENERATION;
    }
    pthread_mutex_unlock(&b->lock);
    return WF_STORE_OK;
}

static int compare_and_swap(void *userdata, const char *key, const char *document, uint64_t generation,
                            bool has_expected, uint64_t expected) {
    shared_backend *b = userdata;
    pthread_mutex_lock(&b->lock);
    int i = slot_of(b->keys, key, true);
    int result = WF_STORE_FAILED;
    if (i >= 0) {
        bool present = b->documents[i] != NULL;
        bool matches = has_expected ? present && b->generations[i] == expected : !present;
        if (matches) {
            put(b, i, document, generation);
            result = WF_STORE_OK;
        } else {
            result = WF_STORE_CONFLICT;
        }
    }
    pthread_mutex_unlock(&b->lock);
    return result;
}

static int acquire_lease(void *userdata, const char *key, const char *owner, uint64_t ttl_ms) {
    shared_backend *b = userdata;
    pthread_mutex_lock(&b->lock);
    int i = slot_of(b->lease_keys, key, true);
    int result = WF_STORE_FAILED;
    if (i >= 0) {
        uint64_t now = now_ms();
        bool held = b->lease_owners[i] != NULL && strcmp(b->lease_owners[i], owner) != 0 &&
                    b->lease_until_ms[i] > now;
        if (held) {
            result = WF_STORE_HELD;
        } else {
            free(b->lease_owners[i]);
            b->lease_owners[i] = strdup(owner);
            b->lease_until_ms[i] = now + ttl_ms;
            result = WF_STORE_OK;
        }
    }
    pthread_mutex_unlock(&b->lock);
    return result;
}

static int release_lease(void *userdata, const char *key, const char *owner) {
    shared_backend *b = userdata;
    pthread_mutex_lock(&b->lock);
    int i = slot_of(b->lease_keys, key, false);
    if (i >= 0 && b->lease_owners[i] != NULL && strcmp(b->lease_owners[i], owner) == 0) {
        free(b->lease_owners[i]);
        b->lease_owners[i] = NULL;
    }
    pthread_mutex_unlock(&b->lock);
    return WF_STORE_OK;
}

static void backend_free(shared_backend *b) {
    for (int i = 0; i < SLOTS; i++) {
        free(b->keys[i]);
        free(b->documents[i]);
        free(b->lease_keys[i]);
        free(b->lease_owners[i]);
    }
}

static void verify(const wf_store *store, bool want_skips) {
    bool passed = false;
    char *report = NULL;
    CHECK_RESULT(wf_store_verify(store, "check", &passed, &report), WF_OK);
    if (!CHECK(passed)) {
        fprintf(stderr, "%s\n", report);
    }
    CHECK(report != NULL && (strstr(report, ", 0 skipped") == NULL) == want_skips);
    wf_string_free(report);
}

static void *call_api(void *arg) {
    const wf_client *client = arg;
    uint16_t status = 0;
    char *body = NULL;
    wf_result r = wf_client_request(client, "GET", "proj/count", NULL, NULL, &status, &body);
    wf_string_free(body);
    return (void *)(intptr_t)r;
}

/* Two clients on one store; the session ends while eight threads call: one refresh. */
static void two_clients_one_refresh(const wf_store *store) {
    wf_oauth *oauth = mock_oauth(STYLE_BASIC);
    wf_token_set *tokens = sign_in(oauth);
    wf_client *clients[2] = {NULL, NULL};
    CHECK_RESULT(wf_client_login(oauth, store, "shared", tokens, &clients[0]), WF_OK);
    CHECK_RESULT(wf_client_open(oauth, store, "shared", &clients[1]), WF_OK);
    long before = mock_grants("refresh_token");
    CHECK(mock_admin("sessions/expire", "{}"));
    pthread_t threads[8];
    for (int i = 0; i < 8; i++) {
        CHECK(pthread_create(&threads[i], NULL, call_api, clients[i % 2]) == 0);
    }
    for (int i = 0; i < 8; i++) {
        void *r = NULL;
        pthread_join(threads[i], &r);
        CHECK((wf_result)(intptr_t)r == WF_OK);
    }
    CHECK(mock_grants("refresh_token") - before == 1);
    wf_client_free(clients[0]);
    wf_client_free(clients[1]);
    wf_token_set_free(tokens);
    wf_oauth_free(oauth);
}

int main(void) {
    shared_backend plain_backend = {.lock = PTHREAD_MUTEX_INITIALIZER};
    wf_store_callbacks plain = {&plain_backend, load, save, remove_key, NULL};
    wf_store *plain_store = NULL;
    CHECK_RESULT(wf_callback_store_new(&plain, &plain_store), WF_OK);
    verify(plain_store, true);
    two_clients_one_refresh(plain_store);
    wf_store_free(plain_store);

    shared_backend shared_backend_ = {.lock = PTHREAD_MUTEX_INITIALIZER};
    wf_shared_store_callbacks shared = {
        &shared_backend_, load, save, remove_key, compare_and_swap, acquire_lease, release_lease, NULL,
    };
    wf_store *shared_store = NULL;
    CHECK_RESULT(wf_shared_callback_store_new(&shared, &shared_store), WF_OK);
    verify(shared_store, false);
    two_clients_one_refresh(shared_store);
    wf_store_free(shared_store);

    /* Every function but free_userdata is required. */
    wf_shared_store_callbacks missing = shared;
    missing.acquire_lease = NULL;
    wf_store *refused = NULL;
    CHECK_RESULT(wf_shared_callback_store_new(&missing, &refused), WF_INVALID_ARGUMENT);
    CHECK(refused == NULL);

    backend_free(&plain_backend);
    backend_free(&shared_backend_);
    return finish();
}
