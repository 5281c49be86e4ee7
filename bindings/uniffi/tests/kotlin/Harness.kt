// The test runner: plain Kotlin, no JUnit. Each test is a suspend function run with a time
// bound; the last line printed is "N passed, M failed" and the exit status is non-zero when
// anything failed.
package io.wfoauth.tests

import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import kotlin.system.exitProcess

/** Settings handed over by the test script as system properties. */
object Env {
    /** The `wf-oauth-mock` binary. */
    val mockBinary: String = System.getProperty("wf.mock") ?: error("set -Dwf.mock=<wf-oauth-mock binary>")

    /** A scratch directory for this run. */
    val workDir: String = System.getProperty("wf.workdir") ?: System.getProperty("java.io.tmpdir")
}

class TestCase(val name: String, val body: suspend () -> Unit)

private val registry = mutableListOf<TestCase>()

/** Registers a test. */
fun test(name: String, body: suspend () -> Unit) {
    registry.add(TestCase(name, body))
}

/** Seconds one test may take before it counts as failed. */
private const val TEST_TIMEOUT_MS = 60_000L

fun main(args: Array<String>) {
    flowTests()
    errorTests()
    concurrencyTests()
    secretTests()
    imsTests()
    hostileTests()
    storeTests()
    val only = args.toSet()
    var passed = 0
    var failed = 0
    for (case in registry) {
        if (only.isNotEmpty() && case.name !in only) continue
        val started = System.nanoTime()
        val failure = runCatching {
            runBlocking { withTimeout(TEST_TIMEOUT_MS) { case.body() } }
        }.exceptionOrNull()
        val ms = (System.nanoTime() - started) / 1_000_000
        if (failure == null) {
            passed++
            println("PASS ${case.name} (${ms} ms)")
        } else {
            failed++
            println("FAIL ${case.name} (${ms} ms): $failure")
            failure.printStackTrace(System.out)
        }
    }
    println("$passed passed, $failed failed")
    exitProcess(if (failed == 0 && passed > 0) 0 else 1)
}
