// Hostile input against the Kotlin bindings, as an attacker would send it: token sets and
// store documents naming a foreign host (a loopback server that counts whether anything
// reached it), absurd Retry-After values, unsafe store directories, text that is not
// Unicode, damaged authorization codes, another server's `iss`, and a panic inside the
// library. Each case checks the typed exception and that nothing was sent.
package io.wfoauth.tests

import com.sun.net.httpserver.HttpServer
import io.wfoauth.ClientOptions
import io.wfoauth.ClientSecret
import io.wfoauth.CredentialStorage
import io.wfoauth.OAuthClient
import io.wfoauth.TokenSet
import io.wfoauth.TokenStore
import io.wfoauth.WfOauthException
import io.wfoauth.selfTestPanic
import java.net.InetSocketAddress
import java.nio.file.Files
import java.nio.file.attribute.PosixFilePermissions
import java.util.concurrent.atomic.AtomicInteger
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertTrue

/** A loopback HTTP server answering every request with one scripted response. */
class Hostile(status: Int = 200, headers: Map<String, String> = emptyMap(), body: String = "{}") : AutoCloseable {
    val requests = AtomicInteger()
    private val server: HttpServer = HttpServer.create(InetSocketAddress("127.0.0.1", 0), 0)
    val origin: String get() = "http://127.0.0.1:${server.address.port}"

    init {
        server.createContext("/") { exchange ->
            requests.incrementAndGet()
            exchange.requestBody.readAllBytes()
            exchange.responseHeaders.add("Content-Type", "application/json")
            headers.forEach { (name, value) -> exchange.responseHeaders.add(name, value) }
            val bytes = body.toByteArray()
            exchange.sendResponseHeaders(status, bytes.size.toLong())
            exchange.responseBody.use { it.write(bytes) }
        }
        server.start()
    }

    override fun close() = server.stop(0)
}

/** Planted tokens naming `origin`. */
fun plantedTokens(origin: String): TokenSet = TokenSet.fromJson(
    """{"format":1,"access_token":"planted-access","refresh_token":"planted-refresh",""" +
        """"token_type":"sessionID","instance":"$origin","obtained_at":1700000000}""",
)

fun hostileTests() {
    test("hostile: a token set naming another host never reaches it") {
        MockServer("--auto-approve").use { mock ->
            Hostile().use { evil ->
                val oauth = confidentialClient(mock)
                val tokens = plantedTokens(evil.origin)
                val refused = assertFailsWith<WfOauthException.InvalidArgument> { oauth.refresh(tokens) }
                assertTrue("127.0.0.1" in refused.reason, refused.reason)
                assertFalse("planted" in refused.reason, refused.reason)
                val client = oauth.clientFor(tokens)
                assertFailsWith<WfOauthException.InvalidArgument> { client.get("proj/search") }
                assertFailsWith<WfOauthException.InvalidArgument> { client.refresh() }
                assertFailsWith<WfOauthException.InvalidArgument> { oauth.login(TokenStore.memory(), "k", tokens) }
                assertEquals(0, evil.requests.get())
                assertEquals(0L, mock.grants("refresh_token"))
            }
        }
    }

    test("hostile: a planted store document is refused and never saved over") {
        MockServer("--auto-approve").use { mock ->
            Hostile().use { evil ->
                val saves = AtomicInteger()
                val planted = """{"format":"wf-oauth-credential","version":1,"generation":3,"tokens":""" +
                    plantedTokens(evil.origin).toJson() + "}"
                val storage = object : CredentialStorage {
                    override fun load(key: String): String = planted
                    override fun save(key: String, document: String) { saves.incrementAndGet() }
                    override fun delete(key: String) {}
                }
                val e = assertFailsWith<WfOauthException.Storage> {
                    confidentialClient(mock).open(TokenStore.custom(storage), "alice")
                }
                assertTrue("127.0.0.1" in e.reason, e.reason)
                assertEquals(0, saves.get())
                assertEquals(0, evil.requests.get())
            }
        }
    }

    test("hostile: absurd Retry-After values are typed API errors") {
        for ((status, retryAfter) in listOf(
            429 to "18446744073709551615",
            503 to "Fri, 31 Dec 9999 23:59:59 GMT",
        )) {
            Hostile(status, mapOf("Retry-After" to retryAfter), """{"error":{"class":"x","message":"busy"}}""").use { server ->
                val oauth = OAuthClient(
                    ClientOptions(
                        instance = server.origin,
                        clientId = "demo-client",
                        clientSecret = ClientSecret("demo-secret"),
                        redirectUri = REDIRECT_URI,
                    ),
                )
                val e = assertFailsWith<WfOauthException.Api> { oauth.clientFor(plantedTokens(server.origin)).get("proj/search") }
                assertEquals(status.toUShort(), e.status)
                assertEquals(1, server.requests.get(), "a wait past the retry budget is not waited")
            }
        }
    }

    test("hostile: a store directory other users can write is refused") {
        val loose = Files.createTempDirectory("wf-hostile")
        Files.setPosixFilePermissions(loose, PosixFilePermissions.fromString("rwxrwxrwx"))
        val e = assertFailsWith<WfOauthException.Storage> { TokenStore.file(loose.toString()) }
        assertTrue("chmod 700" in e.reason, e.reason)
        Files.delete(loose)
    }

    test("hostile: text that is not Unicode is InvalidArgument") {
        MockServer("--auto-approve").use { mock ->
            assertFailsWith<WfOauthException.InvalidArgument> {
                OAuthClient(ClientOptions(instance = "acme\uD800.my.workfront.com", clientId = "x"))
            }
            assertFailsWith<WfOauthException.InvalidArgument> {
                OAuthClient(ClientOptions(instance = mock.baseUrl, clientId = "x\uDC00"))
            }
            assertFailsWith<WfOauthException.InvalidArgument> { TokenSet.fromJson("\uD800") }
            assertFailsWith<WfOauthException.InvalidArgument> { ClientSecret("s\uD800") }
            val oauth = publicClient(mock)
            val pending = oauth.authorize()
            assertFailsWith<WfOauthException.InvalidArgument> { oauth.acceptCallback(pending, "$REDIRECT_URI?code=\uDC00") }
            val client = oauth.clientFor(signIn(oauth))
            assertFailsWith<WfOauthException.InvalidArgument> { client.get("proj/\uD800") }
            assertFailsWith<WfOauthException.InvalidArgument> { client.get("proj/search", mapOf("name" to "\uD800")) }
        }
    }

    test("hostile: damaged codes and another server's iss are refused before any request") {
        MockServer("--auto-approve").use { mock ->
            val oauth = confidentialClient(mock)
            for (code in listOf("%FF%FE", "ab%C0%AFcd", "a%0Db", "a%00b", "a%20b", "a+b")) {
                val pending = oauth.authorize()
                val state = stateOf(pending.url())
                assertFailsWith<WfOauthException.Protocol>(code) {
                    oauth.exchange(pending, "$REDIRECT_URI?code=$code&state=$state")
                }
            }
            val pending = oauth.authorize()
            val callback = "$REDIRECT_URI?code=c0de&state=${stateOf(pending.url())}"
            val mixedUp = assertFailsWith<WfOauthException.StateMismatch> {
                oauth.exchange(pending, "$callback&iss=https%3A%2F%2Fevil.example.com")
            }
            assertTrue("evil.example.com" in mixedUp.reason, mixedUp.reason)
            assertEquals(0L, mock.grants("authorization_code"))
        }
    }

    test("hostile: a panic is WfOauthException.Internal, blocking and suspending") {
        assertFailsWith<WfOauthException.Internal> { selfTestPanic(false) }
        assertFailsWith<WfOauthException.Internal> { selfTestPanic(true) }
    }
}
