/*
 * Hostile input against the C library, as an attacker would send it: token sets and
 * store documents naming a foreign host (a loopback server that counts whether anything
 * reached it), absurd Retry-After values, store directories and links planted by another
 * user, damaged authorization codes and another server's `iss`. Each case checks the
 * result code and that nothing was sent.
 */
#include "harness.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* A loopback HTTP server answering every request with one scripted response. */
typedef struct {
    int listener;
    int port;
    const char *response;
    atomic_int connections;
    atomic_bool stop;
    pthread_t thread;
} hostile_server;

static void *serve(void *arg) {
    hostile_server *s = arg;
    while (!atomic_load(&s->stop)) {
        struct pollfd p = {.fd = s->listener, .events = POLLIN};
        if (poll(&p, 1, 50) <= 0) {
            continue;
        }
        int conn = accept(s->listener, NULL, NULL);
        if (conn < 0) {
            continue;
        }
        atomic_fetch_add(&s->connections, 1);
        char buf[8192];
        size_t got = 0;
        while (got < sizeof buf - 1) {
            ssize_t n = read(conn, buf + got, sizeof buf - 1 - got);
            if (n <= 0) {
                break;
            }
            got += (size_t)n;
            buf[got] = '\0';
            if (strstr(buf, "\r\n\r\n") != NULL) {
                break;
            }
        }
        size_t len = strlen(s->response);
        if (write(conn, s->response, len) < 0) {
            /* The client went away: nothing to do. */
        }
        close(conn);
    }
    return NULL;
}

static void server_start(hostile_server *s, const char *response) {
    memset(s, 0, sizeof *s);
    s->response = response;
    atomic_init(&s->connections, 0);
    atomic_init(&s->stop, false);
    s->listener = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t addr_len = sizeof addr;
    if (bind(s->listener, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(s->listener, 16) != 0 ||
        getsockname(s->listener, (struct sockaddr *)&addr, &addr_len) != 0) {
        fprintf(stderr, "cannot start the hostile server\n");
        exit(2);
    }
    s->port = ntohs(addr.sin_port);
    pthread_create(&s->thread, NULL, serve, s);
}

static void server_stop(hostile_server *s) {
    atomic_store(&s->stop, true);
    pthread_join(s->thread, NULL);
    close(s->listener);
}

#define RECORDER_RESPONSE \
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"

/* A token set naming http://127.0.0.1:<port>, as planted JSON. */
static wf_token_set *planted_tokens(int port) {
    char json[512];
    snprintf(json, sizeof json,
             "{\"format\":1,\"access_token\":\"planted-access\",\"refresh_token\":\"planted-refresh\","
             "\"token_type\":\"sessionID\",\"instance\":\"http://127.0.0.1:%d\",\"obtained_at\":1700000000}",
             port);
    wf_token_set *tokens = NULL;
    CHECK_RESULT(wf_token_set_from_json(json, &tokens), WF_OK);
    return tokens;
}

static void foreign_token_sets_never_reach_their_host(void) {
    hostile_server evil;
    server_start(&evil, RECORDER_RESPONSE);
    wf_oauth *oauth = mock_oauth(STYLE_BASIC);
    wf_token_set *tokens = planted_tokens(evil.port);
    wf_token_set *renewed = NULL;
    CHECK_RESULT(wf_oauth_refresh(oauth, tokens, &renewed), WF_INVALID_ARGUMENT);
    CHECK(message_contains("127.0.0.1"));
    CHECK(message_lacks("planted"));
    CHECK(renewed == NULL);

    wf_client *client = NULL;
    CHECK_RESULT(wf_client_from_tokens(oauth, tokens, &client), WF_OK);
    uint16_t status = 0;
    char *body = NULL;
    CHECK_RESULT(wf_client_request(client, "GET", "proj/search", NULL, NULL, &status, &body), WF_INVALID_ARGUMENT);
    CHECK(body == NULL);
    CHECK_RESULT(wf_client_refresh(client), WF_INVALID_ARGUMENT);
    CHECK_RESULT(wf_client_logout(client), WF_INVALID_ARGUMENT);
    wf_store *store = NULL;
    CHECK_RESULT(wf_memory_store_new(&store), WF_OK);
    wf_client *saved = NULL;
    CHECK_RESULT(wf_client_login(oauth, store, "k", tokens, &saved), WF_INVALID_ARGUMENT);
    CHECK(saved == NULL);
    CHECK(atomic_load(&evil.connections) == 0);

    wf_store_free(store);
    wf_client_free(client);
    wf_token_set_free(tokens);
    wf_oauth_free(oauth);
    server_stop(&evil);
}

/* The one `*.json` document in `dir` (malloc'd path), or NULL. */
static char *document_in(const char *dir) {
    DIR *d = opendir(dir);
    char *found = NULL;
    struct dirent *entry;
    while (d != NULL && (entry = readdir(d)) != NULL) {
        size_t n = strlen(entry->d_name);
        if (n > 5 && strcmp(entry->d_name + n - 5, ".json") == 0 && found == NULL) {
            found = malloc(strlen(dir) + n + 2);
            sprintf(found, "%s/%s", dir, entry->d_name);
        }
    }
    if (d != NULL) {
        closedir(d);
    }
    return found;
}

static char *read_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    char *text = calloc(1, 65536);
    size_t n = fread(text, 1, 65535, f);
    text[n] = '\0';
    fclose(f);
    return text;
}

static void a_planted_document_is_refused_and_left_untouched(void) {
    hostile_server evil;
    server_start(&evil, RECORDER_RESPONSE);
    char dir[] = "/tmp/wf-hostile-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    wf_oauth *oauth = mock_oauth(STYLE_BASIC);
    wf_store *store = NULL;
    CHECK_RESULT(wf_file_store_new(dir, &store), WF_OK);
    wf_token_set *tokens = sign_in(oauth);
    wf_client *client = NULL;
    CHECK_RESULT(wf_client_login(oauth, store, "alice", tokens, &client), WF_OK);
    wf_client_free(client);

    char *path = document_in(dir);
    CHECK(path != NULL);
    char planted[1024];
    snprintf(planted, sizeof planted,
             "{\"format\":\"wf-oauth-credential\",\"version\":1,\"generation\":9,\"tokens\":"
             "{\"format\":1,\"access_token\":\"planted-access\",\"refresh_token\":\"planted-refresh\","
             "\"token_type\":\"sessionID\",\"instance\":\"http://127.0.0.1:%d\",\"obtained_at\":1}}",
             evil.port);
    FILE *f = fopen(path, "wb");
    fputs(planted, f);
    fclose(f);

    client = NULL;
    CHECK_RESULT(wf_client_open(oauth, store, "alice", &client), WF_STORAGE);
    CHECK(client == NULL);
    CHECK(message_contains("127.0.0.1"));
    CHECK(message_lacks("planted"));
    char *after = read_file(path);
    CHECK(after != NULL && strcmp(after, planted) == 0);
    CHECK(atomic_load(&evil.connections) == 0);

    free(after);
    unlink(path);
    free(path);
    wf_store_free(store);
    wf_token_set_free(tokens);
    wf_oauth_free(oauth);
    server_stop(&evil);
}

static void absurd_retry_after_values_are_api_errors(void) {
    const char *responses[] = {
        "HTTP/1.1 429 Too Many\r\nRetry-After: 18446744073709551615\r\nContent-Type: application/json\r\n"
        "Content-Length: 2\r\nConnection: close\r\n\r\n{}",
        "HTTP/1.1 503 Busy\r\nRetry-After: Fri, 31 Dec 9999 23:59:59 GMT\r\nContent-Type: application/json\r\n"
        "Content-Length: 2\r\nConnection: close\r\n\r\n{}",
    };
    for (size_t i = 0; i < sizeof responses / sizeof responses[0]; i++) {
        hostile_server server;
        server_start(&server, responses[i]);
        char base[64];
        snprintf(base, sizeof base, "http://127.0.0.1:%d", server.port);
        wf_oauth *oauth = oauth_of(mock_config_at(base, STYLE_BASIC, MOCK_CLIENT_SECRET));
        wf_token_set *tokens = planted_tokens(server.port);
        wf_client *client = NULL;
        CHECK_RESULT(wf_client_from_tokens(oauth, tokens, &client), WF_OK);
        uint16_t status = 0;
        char *body = NULL;
        CHECK_RESULT(wf_client_request(client, "GET", "proj/search", NULL, NULL, &status, &body), WF_API_ERROR);
        uint16_t last = 0;
        CHECK_RESULT(wf_last_error_status(&last), WF_OK);
        CHECK(last == 429 || last == 503);
        CHECK(atomic_load(&server.connections) == 1);
        wf_client_free(client);
        wf_token_set_free(tokens);
        wf_oauth_free(oauth);
        server_stop(&server);
    }
}

static void unsafe_store_directories_and_links_are_refused(void) {
    char root[] = "/tmp/wf-hostile-XXXXXX";
    CHECK(mkdtemp(root) != NULL);
    char loose[128];
    snprintf(loose, sizeof loose, "%s/loose", root);
    CHECK(mkdir(loose, 0700) == 0);
    CHECK(chmod(loose, 0777) == 0);
    wf_store *store = NULL;
    CHECK_RESULT(wf_file_store_new(loose, &store), WF_STORAGE);
    CHECK(message_contains("chmod 700"));
    CHECK(store == NULL);
    rmdir(loose);

    /* A planted .write.lock link: the sign-in's save refuses and creates nothing there. */
    char dir[128];
    snprintf(dir, sizeof dir, "%s/tokens", root);
    CHECK_RESULT(wf_file_store_new(dir, &store), WF_OK);
    wf_oauth *oauth = mock_oauth(STYLE_BASIC);
    wf_token_set *tokens = sign_in(oauth);
    wf_client *client = NULL;
    CHECK_RESULT(wf_client_login(oauth, store, "k", tokens, &client), WF_OK);
    wf_client_free(client);
    char *document = document_in(dir);
    CHECK(document != NULL);
    char lock[256], target[256];
    snprintf(lock, sizeof lock, "%.*s.write.lock", (int)(strlen(document) - 5), document);
    snprintf(target, sizeof target, "%s/elsewhere", root);
    unlink(lock);
    CHECK(symlink(target, lock) == 0);
    client = NULL;
    CHECK_RESULT(wf_client_login(oauth, store, "k", tokens, &client), WF_STORAGE);
    CHECK(message_contains("symbolic link"));
    CHECK(access(target, F_OK) != 0);

    unlink(lock);
    free(document);
    wf_token_set_free(tokens);
    wf_oauth_free(oauth);
    wf_store_free(store);
}

/* Accepts `query` (after the redirect URI) for a new authorization of `oauth`. */
static wf_result accept_query(const wf_oauth *oauth, const char *query) {
    wf_pending_authorization *pending = NULL;
    wf_oauth_authorize(oauth, &pending);
    char *url = NULL;
    wf_pending_authorization_url(pending, &url);
    char *state = state_of(url);
    char callback[1024];
    snprintf(callback, sizeof callback, "%s?state=%s&%s", MOCK_REDIRECT_URI, state, query);
    wf_authorization_response *response = NULL;
    wf_result result = wf_oauth_accept_callback(oauth, pending, callback, &response);
    wf_authorization_response_free(response);
    free(state);
    wf_string_free(url);
    wf_pending_authorization_free(pending);
    return result;
}

static void damaged_codes_and_foreign_issuers_are_refused(void) {
    wf_oauth *oauth = mock_oauth(STYLE_BASIC);
    const char *codes[] = {"code=%FF%FE", "code=ab%C0%AFcd", "code=a%0Db", "code=a%00b", "code=a%20b", "code=a+b"};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        CHECK_RESULT(accept_query(oauth, codes[i]), WF_PROTOCOL);
    }
    CHECK_RESULT(accept_query(oauth, "code=c0de&iss=https%3A%2F%2Fevil.example.com"), WF_STATE_MISMATCH);
    CHECK(message_contains("evil.example.com"));
    char query[256];
    snprintf(query, sizeof query, "code=c0de&iss=%s", mock_url());
    CHECK_RESULT(accept_query(oauth, query), WF_OK);
    wf_oauth_free(oauth);

    wf_config *strict = mock_config(STYLE_BASIC);
    CHECK_RESULT(wf_config_set_require_issuer(strict, true), WF_OK);
    wf_oauth *strict_oauth = oauth_of(strict);
    CHECK_RESULT(accept_query(strict_oauth, "code=c0de"), WF_STATE_MISMATCH);
    wf_oauth_free(strict_oauth);

    wf_config *generic = mock_config(STYLE_BASIC);
    CHECK_RESULT(wf_config_set_issuer(generic, "not a url"), WF_OK);
    wf_oauth *refused = NULL;
    CHECK_RESULT(wf_oauth_new(generic, &refused), WF_INVALID_ARGUMENT);
    wf_config_free(generic);
}

int main(void) {
    foreign_token_sets_never_reach_their_host();
    a_planted_document_is_refused_and_left_untouched();
    absurd_retry_after_values_are_api_errors();
    unsafe_store_directories_and_links_are_refused();
    damaged_codes_and_foreign_issuers_are_refused();
    return finish();
}
