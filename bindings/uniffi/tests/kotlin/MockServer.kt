// The fake Workfront as a child process (the `wf-oauth-mock` binary on 127.0.0.1, port 0),
// its `/__mock/` admin API, and a scripted browser for its login and consent pages.
package io.wfoauth.tests

import java.io.BufferedReader
import java.io.File
import java.io.InputStreamReader
import java.net.URI
import java.net.URLEncoder
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.time.Duration
import java.util.concurrent.TimeUnit

/** The redirect URI registered with every mock the tests start. */
const val REDIRECT_URI = "http://127.0.0.1:8765/callback"

private val http: HttpClient = HttpClient.newBuilder()
    .followRedirects(HttpClient.Redirect.NEVER)
    .connectTimeout(Duration.ofSeconds(5))
    .build()

/** A running `wf-oauth-mock`; [close] stops it (and so does the end of the JVM). */
class MockServer(vararg flags: String) : AutoCloseable {
    private val process: Process
    private val hook: Thread

    /** `http://127.0.0.1:PORT` */
    val baseUrl: String

    init {
        val log = File(Env.workDir, "mock-${System.nanoTime()}.log")
        // In IMS mode the fake wants https redirect URIs for web apps; the loopback callback
        // of these tests needs its test switch (the legacy mode ignores it).
        val base = listOf(Env.mockBinary, "--port", "0", "--redirect-uri", REDIRECT_URI, "--allow-loopback-redirects")
        process = ProcessBuilder(base + flags)
            .redirectError(log)
            .start()
        hook = Thread { process.destroyForcibly() }
        Runtime.getRuntime().addShutdownHook(hook)
        val first = BufferedReader(InputStreamReader(process.inputStream)).readLine()
            ?: error("wf-oauth-mock exited before listening; see $log")
        baseUrl = first.removePrefix("listening on ").trim()
        check(baseUrl.startsWith("http://127.0.0.1:")) { "unexpected first line: $first" }
    }

    /** Calls the admin API; returns the answer's JSON text. */
    fun admin(method: String, path: String, body: String? = null): String {
        val builder = HttpRequest.newBuilder(URI.create("$baseUrl/__mock/$path")).timeout(Duration.ofSeconds(10))
        val request = when {
            body != null -> builder.header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body))
            else -> builder.method(method, HttpRequest.BodyPublishers.noBody())
        }.build()
        val response = http.send(request, HttpResponse.BodyHandlers.ofString())
        check(response.statusCode() in 200..299) { "admin $path: ${response.statusCode()} ${response.body()}" }
        return response.body()
    }

    /** The request counters. */
    fun stats(): Map<String, Any?> = parseJson(admin("GET", "stats")).obj()

    /** How many token requests of `grant` the server received. */
    fun grants(grant: String): Long = stats()["grants"].obj().long(grant)

    /** How many token requests of `grant` the server answered with `status` (e.g. "200"). */
    fun grantStatus(grant: String, status: String): Long =
        (stats()["grant_statuses"].obj()[grant] as Map<*, *>?)?.let { (it[status] as Double?)?.toLong() } ?: 0L

    /** How many API requests the server answered with `status` (e.g. "401"). */
    fun apiStatus(status: String): Long =
        (stats()["statuses"].obj()["api"] as Map<*, *>?)?.let { (it[status] as Double?)?.toLong() } ?: 0L

    /** Moves the clock of a mock started with `--manual-clock`. */
    fun advanceClock(secs: Long) {
        admin("POST", "clock/advance", """{"secs":$secs}""")
    }

    /** The status of `GET /attask/api/v20.0/<path>` sent with `Authorization: Bearer <token>`. */
    fun bearerStatus(token: String, path: String = "proj/count"): Int {
        val request = HttpRequest.newBuilder(URI.create("$baseUrl/attask/api/v20.0/$path"))
            .timeout(Duration.ofSeconds(10))
            .header("Authorization", "Bearer $token")
            .GET()
            .build()
        return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode()
    }

    fun expireAllSessions() {
        admin("POST", "sessions/expire", "{}")
    }

    fun revokeAllRefreshTokens() {
        admin("POST", "refresh-tokens/revoke", "{}")
    }

    /** Adds fault rules (see the mock's README). */
    fun fault(json: String) {
        admin("POST", "faults", json)
    }

    override fun close() {
        process.destroy()
        if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly()
        runCatching { Runtime.getRuntime().removeShutdownHook(hook) }
    }
}

/**
 * Plays the user's browser: opens the authorize URL, signs in as `demo:demo` when the login
 * page shows, answers the consent page, and returns the URL the browser was finally sent to
 * (the callback with `code` or `error`).
 */
fun browse(authorizeUrl: String, allow: Boolean = true): String {
    var cookie: String? = null
    var request = get(authorizeUrl)
    repeat(6) {
        val response = http.send(
            request.let { r -> cookie?.let { c -> r.header("Cookie", c) } ?: r }.build(),
            HttpResponse.BodyHandlers.ofString(),
        )
        response.headers().firstValue("set-cookie").ifPresent { cookie = it.substringBefore(';') }
        val location = response.headers().firstValue("location").orElse(null)
        when {
            location != null && location.startsWith(REDIRECT_URI) -> return location
            location != null -> request = get(URI.create(authorizeUrl).resolve(location).toString())
            response.statusCode() != 200 -> error("browser got ${response.statusCode()}: ${response.body()}")
            "id=\"login-form\"" in response.body() -> request = submit(
                authorizeUrl,
                response.body(),
                mapOf("return_to" to hidden(response.body(), "return_to"), "username" to "demo", "password" to "demo"),
            )
            "id=\"consent-form\"" in response.body() -> request = submit(
                authorizeUrl,
                response.body(),
                mapOf(
                    "consent_token" to hidden(response.body(), "consent_token"),
                    "decision" to if (allow) "allow" else "deny",
                ),
            )
            else -> error("unexpected page: ${response.body().take(200)}")
        }
    }
    error("the browser never reached the redirect URI")
}

private fun get(url: String): HttpRequest.Builder =
    HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET()

private fun unescape(s: String) = s.replace("&quot;", "\"").replace("&#39;", "'")
    .replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")

private fun hidden(page: String, name: String): String =
    unescape(Regex("name=\"$name\" value=\"([^\"]*)\"").find(page)?.groupValues?.get(1) ?: error("no $name field"))

private fun submit(base: String, page: String, fields: Map<String, String>): HttpRequest.Builder {
    val action = unescape(Regex("action=\"([^\"]*)\"").find(page)?.groupValues?.get(1) ?: error("no form action"))
    val body = fields.entries.joinToString("&") { (k, v) ->
        "${URLEncoder.encode(k, Charsets.UTF_8)}=${URLEncoder.encode(v, Charsets.UTF_8)}"
    }
    return HttpRequest.newBuilder(URI.create(base).resolve(action))
        .timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(body))
}
