/*
 * A token store implemented in C: the library saves through it at sign-in and after every
 * refresh, loads through it when a client opens, removes through it at sign-out, never
 * calls it from two threads at once, reports its failures as WF_STORAGE, and calls
 * free_userdata once when the last user is gone.
 */
#include "harness.h"

#include <pthread.h>

#define MAX_ENTRIES 8

typedef struct {
    pthread_mutex_t lock;
    char *keys[MAX_ENTRIES];
    char *documents[MAX_ENTRIES];
    int loads, saves, removes, frees;
    int inside, most_inside; /* callbacks running right now / at most at once */
    bool fail_save;
} memory_backend;

static int find(memory_backend *b, const char *key) {
    for (int i = 0; i < MAX_ENTRIES; i++) {
        if (b->keys[i] != NULL && strcmp(b->keys[i], key) == 0) {
            return i;
        }
    }
    return -1;
}

static void enter(memory_backend *b) {
    pthread_mutex_lock(&b->lock);
    b->inside++;
    if (b->inside > b->most_inside) {
        b->most_inside = b->inside;
    }
    pthread_mutex_unlock(&b->lock);
}

static void leave(memory_backend *b) {
    pthread_mutex_lock(&b->lock);
    b->inside--;
    pthread_mutex_unlock(&b->lock);
}

static int load(void *userdata, const char *key, wf_document *document) {
    memory_backend *b = userdata;
    enter(b);
    pthread_mutex_lock(&b->lock);
    b->loads++;
    int i = find(b, key);
    int result = WF_STORE_NOT_FOUND;
    if (i >= 0) {
        result = wf_document_set(document, b->documents[i]) == WF_OK ? WF_STORE_OK : WF_STORE_FAILED;
    }
    pthread_mutex_unlock(&b->lock);
    leave(b);
    return result;
}

static int save(void *userdata, const char *key, const char *document) {
    memory_backend *b = userdata;
    enter(b);
    pthread_mutex_lock(&b->lock);
    int result = WF_STORE_FAILED;
    if (!b->fail_save) {
        int i = find(b, key);
        if (i < 0) {
            for (i = 0; i < MAX_ENTRIES && b->keys[i] != NULL; i++) {
            }
        }
        if (i < MAX_ENTRIES) {
            if (b->keys[i] == NULL) {
                b->keys[i] = strdup(key);
            }
            free(b->documents[i]);
            b->documents[i] = strdup(document);
            b->saves++;
            result = WF_STORE_OK;
        }
    }
    pthread_mutex_unlock(&b->lock);
    leave(b);
    return result;
}

static int remove_key(void *userdata, const char *key) {
    memory_backend *b = userdata;
    enter(b);
    pthread_mutex_lock(&b->lock);
    b->removes++;
    int i = find(b, key);
    if (i >= 0) {
        free(b->keys[i]);
        free(b->documents[i]);
        b->keys[i] = NULL;
        b->documents[i] = NULL;
    }
    pthread_mutex_unlock(&b->lock);
    leave(b);
    return WF_STORE_OK;
}

static void free_backend(void *userdata) {
    memory_backend *b = userdata;
    pthread_mutex_lock(&b->lock);
    b->frees++;
    pthread_mutex_unlock(&b->lock);
}

/* The stored document of `key` contains `needle`. */
static bool stored_contains(memory_backend *b, const char *key, const char *needle) {
    pthread_mutex_lock(&b->lock);
    int i = find(b, key);
    bool found = i >= 0 && strstr(b->documents[i], needle) != NULL;
    pthread_mutex_unlock(&b->lock);
    return found;
}

typedef struct {
    const wf_client *client;
    wf_result result;
} call;

static void *call_api(void *arg) {
    call *c = arg;
    uint16_t status = 0;
    char *body = NULL;
    c->result = wf_client_request(c->client, "GET", "proj/search", "$$LIMIT=1", NULL, &status, &body);
    wf_string_free(body);
    return NULL;
}

static wf_result get(const wf_client *client) {
    call c = {client, WF_PANIC};
    call_api(&c);
    return c.result;
}

int main(void) {
    memory_backend backend = {.lock = PTHREAD_MUTEX_INITIALIZER};
    wf_store_callbacks callbacks = {&backend, load, save, remove_key, free_backend};
    wf_store *store = NULL;
    CHECK_RESULT(wf_callback_store_new(&callbacks, &store), WF_OK);
    wf_oauth *oauth = mock_oauth(STYLE_BASIC);

    /* Sign-in saves the credential: a versioned document, generation 1. */
    wf_token_set *tokens = sign_in(oauth);
    wf_client *alice = NULL;
    CHECK_RESULT(wf_client_login(oauth, store, "alice", tokens, &alice), WF_OK);
    CHECK(backend.saves == 1);
    CHECK(stored_contains(&backend, "alice", "\"format\": \"wf-oauth-credential\""));
    CHECK(stored_contains(&backend, "alice", "\"generation\": 1"));
    CHECK(get(alice) == WF_OK);

    /* Another client opens it through load. */
    int loads_before = backend.loads;
    wf_client *alice_again = NULL;
    CHECK_RESULT(wf_client_open(oauth, store, "alice", &alice_again), WF_OK);
    CHECK(backend.loads > loads_before);
    CHECK(get(alice_again) == WF_OK);

    /* The session ends while four threads call: one refresh, saved once, and the callbacks
     * never run two at a time. */
    CHECK(mock_admin("sessions/expire", "{}"));
    pthread_t threads[4];
    call calls[4];
    for (int i = 0; i < 4; i++) {
        calls[i] = (call){alice, WF_PANIC};
        CHECK(pthread_create(&threads[i], NULL, call_api, &calls[i]) == 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(threads[i], NULL);
        CHECK_RESULT(calls[i].result, WF_OK);
    }
    CHECK(backend.saves == 2);
    CHECK(stored_contains(&backend, "alice", "\"generation\": 2"));
    CHECK(backend.most_inside == 1);
    /* The second client picks the renewed tokens up from the store. */
    CHECK(get(alice_again) == WF_OK);

    /* A refresh whose tokens cannot be saved is not used: WF_STORAGE, store unchanged. */
    backend.fail_save = true;
    CHECK(mock_admin("sessions/expire", "{}"));
    CHECK_RESULT(get(alice), WF_STORAGE);
    CHECK(stored_contains(&backend, "alice", "\"generation\": 2"));
    backend.fail_save = false;

    /* Sign-out removes the credential. */
    wf_token_set *bob_tokens = sign_in(oauth);
    wf_client *bob = NULL;
    CHECK_RESULT(wf_client_login(oauth, store, "bob", bob_tokens, &bob), WF_OK);
    CHECK(stored_contains(&backend, "bob", "wf-oauth-credential"));
    CHECK_RESULT(wf_client_logout(bob), WF_OK);
    CHECK(backend.removes == 1);
    CHECK(find(&backend, "bob") < 0);

    /* free_userdata runs once, after the store and every client using it are gone. */
    wf_store_free(store);
    CHECK(backend.frees == 0);
    wf_client_free(alice);
    wf_client_free(alice_again);
    CHECK(backend.frees == 0);
    wf_client_free(bob);
    CHECK(backend.frees == 1);

    for (int i = 0; i < MAX_ENTRIES; i++) {
        free(backend.keys[i]);
        free(backend.documents[i]);
    }
    wf_token_set_free(tokens);
    wf_token_set_free(bob_tokens);
    wf_oauth_free(oauth);
    return finish();
}
