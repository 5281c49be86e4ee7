// The flows an app runs: sign in with PKCE, keep tokens in its own store, call the API,
// page through searches, sign out.
package io.wfoauth.tests

import io.wfoauth.ManualClock
import io.wfoauth.PendingAuthorization
import io.wfoauth.TokenStore
import io.wfoauth.WfOauthException
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext
import java.io.File
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertNotEquals
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

fun flowTests() {
    test("pkce sign-in through login and consent, tokens in a Kotlin store, rotated on refresh") {
        MockServer().use { mock ->
            val oauth = publicClient(mock)
            val pending = oauth.authorize()
            assertTrue(pending.usesPkce())
            assertTrue("code_challenge_method=S256" in pending.url(), pending.url())
            assertEquals(REDIRECT_URI, pending.redirectUri())
            // The app was killed while the browser was in front: only the JSON survived.
            val restored = PendingAuthorization.fromJson(pending.toJson())
            val tokens = oauth.exchange(restored, browse(pending.url()))
            assertEquals("sessionID", tokens.tokenType())
            assertEquals(mock.baseUrl, tokens.instance())
            val firstRefresh = assertNotNull(tokens.refreshToken())

            val storage = MapStorage()
            val client = oauth.login(TokenStore.custom(storage), "alice", tokens)
            assertTrue(firstRefresh in storage.documents.getValue("alice"))
            val count = parseJson(client.get("proj/count")).obj().long("count")
            assertEquals(250L, count)

            client.refresh()
            val rotated = assertNotNull(client.currentTokens().refreshToken())
            assertNotEquals(firstRefresh, rotated)
            val document = storage.documents.getValue("alice")
            assertTrue(rotated in document, "the store received the rotated refresh token")
            assertTrue(firstRefresh !in document)
            assertEquals(2, storage.saves.get())

            // Next app start: a new client from the same storage uses the rotated tokens.
            val reopened = oauth.open(TokenStore.custom(storage), "alice")
            assertEquals(client.currentTokens().accessToken(), reopened.currentTokens().accessToken())
            assertEquals(250L, parseJson(reopened.get("proj/count")).obj().long("count"))
        }
    }

    test("an expired session is refreshed transparently") {
        MockServer("--auto-approve").use { mock ->
            val oauth = publicClient(mock)
            val client = oauth.login(TokenStore.memory(), "alice", signIn(oauth))
            val before = client.currentTokens().accessToken()
            mock.expireAllSessions()
            assertEquals(250L, parseJson(client.get("proj/count")).obj().long("count"))
            assertEquals(1L, mock.grants("refresh_token"))
            assertNotEquals(before, client.currentTokens().accessToken())
        }
    }

    test("search: all pages at once, and page by page") {
        MockServer("--auto-approve").use { mock ->
            val oauth = publicClient(mock)
            val client = oauth.clientFor(signIn(oauth))
            val all = client.searchAll("proj")
            assertEquals(250, all.size)
            val ids = all.map { parseJson(it).obj()["ID"] as String }
            assertEquals(250, ids.toSet().size)

            val current = mapOf("status" to "CUR", "fields" to "status")
            val cursor = client.search("proj", current, 40u)
            val sizes = mutableListOf<Int>()
            while (true) {
                val page = cursor.nextPage() ?: break
                sizes.add(page.size)
                assertTrue(page.all { parseJson(it).obj()["status"] == "CUR" })
            }
            assertTrue(sizes.isNotEmpty() && sizes.dropLast(1).all { it == 40 }, "pages: $sizes")
            assertEquals(client.searchAll("proj", current).size, sizes.sum())
            assertNull(cursor.nextPage())
        }
    }

    test("create, update, read and delete a project") {
        MockServer("--auto-approve").use { mock ->
            val oauth = confidentialClient(mock)
            val client = oauth.clientFor(signIn(oauth))
            val created = parseJson(client.post("proj", """{"name":"Launch"}""")).obj()
            val id = created["ID"] as String
            client.put("proj/$id", """{"name":"Launch v2"}""")
            assertEquals("Launch v2", parseJson(client.get("proj/$id")).obj()["name"])
            client.delete("proj/$id")
            val gone = assertFailsWith<WfOauthException.Api> { client.get("proj/$id") }
            assertEquals(404, gone.status?.toInt())
        }
    }

    test("logout ends the session and forgets the stored credential") {
        MockServer("--auto-approve").use { mock ->
            val oauth = publicClient(mock)
            val storage = MapStorage()
            val store = TokenStore.custom(storage)
            val client = oauth.login(store, "alice", signIn(oauth))
            client.logout()
            assertTrue(storage.documents.isEmpty())
            assertTrue(client.reauthRequired())
            assertFailsWith<WfOauthException.ReauthRequired> { client.get("proj/count") }
            assertFailsWith<WfOauthException.ReauthRequired> { oauth.open(store, "alice") }
        }
    }

    test("blocking variants from a thread that may block") {
        MockServer("--auto-approve").use { mock ->
            withContext(Dispatchers.IO) {
                val oauth = publicClient(mock)
                val pending = oauth.authorize()
                val tokens = oauth.exchangeBlocking(pending, browse(pending.url()))
                val renewed = oauth.refreshBlocking(tokens)
                assertNotEquals(tokens.accessToken(), renewed.accessToken())
                val client = oauth.loginBlocking(TokenStore.memory(), "alice", renewed)
                assertEquals(250L, parseJson(client.getBlocking("proj/count")).obj().long("count"))
                assertEquals(250, client.searchAllBlocking("proj").size)
                assertEquals(100, client.search("proj").nextPageBlocking()?.size)
                client.refreshBlocking()
                client.logoutBlocking()
                assertFailsWith<WfOauthException.ReauthRequired> { client.getBlocking("proj/count") }
            }
        }
    }

    test("file token store: a second client opens what the first saved") {
        MockServer("--auto-approve").use { mock ->
            val dir = File(Env.workDir, "tokens-${System.nanoTime()}").path
            val oauth = publicClient(mock)
            oauth.login(TokenStore.file(dir), "alice", signIn(oauth))
            val client = oauth.openBlocking(TokenStore.file(dir), "alice")
            assertEquals(250L, parseJson(client.get("proj/count")).obj().long("count"))
        }
    }

    test("callback accepted in one place, code exchanged in another") {
        MockServer("--auto-approve").use { mock ->
            val clock = ManualClock.startingNow()
            val oauth = publicClient(mock, clock)
            val pending = oauth.authorize()
            val authorization = oauth.acceptCallback(pending, browse(pending.url()))
            assertEquals(clock.now(), authorization.receivedAt())
            clock.advance(100u)
            val tokens = oauth.exchangeCode(authorization)
            assertEquals(clock.now(), tokens.obtainedAt())
        }
    }
}
