// Stores written in Kotlin: the driver's conformance suite run against them, and two clients
// sharing one store renewing the credential once.
package io.wfoauth.tests

import io.wfoauth.SharedCredentialStorage
import io.wfoauth.TokenStore
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.coroutineScope
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/** A shared storage as an application would write it over a database: one lock around maps. */
class SharedMapStorage : SharedCredentialStorage {
    private val lock = Any()
    val documents = HashMap<String, String>()
    private val generations = HashMap<String, Long>()
    private val leases = HashMap<String, Pair<String, Long>>()

    private fun generationOf(document: String): Long =
        Regex("\"generation\"\\s*:\\s*(\\d+)").find(document)?.groupValues?.get(1)?.toLong() ?: -1

    override fun load(key: String): String? = synchronized(lock) { documents[key] }

    override fun save(key: String, document: String) = synchronized(lock) {
        documents[key] = document
        generations[key] = generationOf(document)
    }

    override fun delete(key: String) = synchronized(lock) {
        documents.remove(key)
        generations.remove(key)
        Unit
    }

    override fun compareAndSwap(key: String, document: String, generation: ULong, expectedGeneration: ULong?): Boolean =
        synchronized(lock) {
            if (generations[key] != expectedGeneration?.toLong()) return false
            documents[key] = document
            generations[key] = generation.toLong()
            true
        }

    override fun acquireLease(key: String, owner: String, ttlMs: ULong): Boolean = synchronized(lock) {
        val now = System.nanoTime() / 1_000_000
        val held = leases[key]
        if (held != null && held.first != owner && held.second > now) return false
        leases[key] = owner to now + ttlMs.toLong()
        true
    }

    override fun releaseLease(key: String, owner: String) = synchronized(lock) {
        if (leases[key]?.first == owner) leases.remove(key)
        Unit
    }
}

fun storeTests() {
    test("stores: a plain Kotlin storage keeps the contract within one process") {
        val report = TokenStore.custom(MapStorage()).verify("check")
        assertTrue(report.passed, report.report)
        assertEquals(2, report.skipped.size, report.report)
    }

    test("stores: a shared Kotlin storage keeps the whole contract, leases included") {
        val report = TokenStore.shared(SharedMapStorage()).verifyBlocking("check")
        assertTrue(report.passed, report.report)
        assertEquals(emptyList(), report.skipped, report.report)
    }

    test("stores: two clients sharing one Kotlin store renew once per expiry") {
        for (store in listOf(TokenStore.custom(MapStorage()), TokenStore.shared(SharedMapStorage()))) {
            MockServer("--auto-approve").use { mock ->
                val first = publicClient(mock)
                first.login(store, "shared", signIn(first))
                val clients = listOf(first.open(store, "shared"), publicClient(mock).open(store, "shared"))
                val before = mock.grants("refresh_token")
                mock.expireAllSessions()
                val counts = coroutineScope {
                    (0 until 16).map { i ->
                        async(Dispatchers.Default) { parseJson(clients[i % 2].get("proj/count")).obj().long("count") }
                    }.awaitAll()
                }
                assertEquals(List(16) { 250L }, counts)
                assertEquals(1L, mock.grants("refresh_token") - before, "one refresh for both clients")
            }
        }
    }
}
