// One client shared by many coroutines: one refresh for all of them, and cancellation that
// leaves the client usable.
package io.wfoauth.tests

import io.wfoauth.TokenStore
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import kotlin.test.assertEquals

fun concurrencyTests() {
    test("50 coroutines on one expired session: exactly one refresh") {
        MockServer("--auto-approve").use { mock ->
            val oauth = publicClient(mock)
            val storage = MapStorage()
            val client = oauth.login(TokenStore.custom(storage), "alice", signIn(oauth))
            mock.expireAllSessions()
            fiftyCounts(client)
            assertEquals(1L, mock.grants("refresh_token"))
            assertEquals(2, storage.saves.get(), "login + one rotated set")
        }
    }

    test("a cancelled call leaves the client usable") {
        MockServer("--auto-approve").use { mock ->
            val oauth = publicClient(mock)
            val client = oauth.clientFor(signIn(oauth))
            mock.fault("""{"endpoint":"api","count":1,"fault":{"kind":"delay","ms":1000}}""")
            coroutineScope {
                val slow = launch(Dispatchers.Default) { client.get("proj/count") }
                delay(200)
                slow.cancelAndJoin()
            }
            assertEquals(250L, parseJson(client.get("proj/count")).obj().long("count"))
        }
    }
}
