// A small JSON reader for the tests: the JDK has none, and the tests only read answers
// (search results, the fake server's statistics), so a dependency is not worth fetching.
package io.wfoauth.tests

/** Parses one JSON document into Map / List / String / Double / Boolean / null. */
fun parseJson(text: String): Any? {
    val reader = JsonReader(text)
    val value = reader.value()
    reader.skipSpace()
    check(reader.pos == text.length) { "trailing characters at ${reader.pos}" }
    return value
}

@Suppress("UNCHECKED_CAST")
fun Any?.obj(): Map<String, Any?> = this as Map<String, Any?>

@Suppress("UNCHECKED_CAST")
fun Any?.arr(): List<Any?> = this as List<Any?>

/** A number member as a Long (the fake server's counters). */
fun Map<String, Any?>.long(name: String): Long = (this[name] as Double?)?.toLong() ?: 0L

private class JsonReader(val s: String) {
    var pos = 0

    fun skipSpace() {
        while (pos < s.length && s[pos].isWhitespace()) pos++
    }

    fun value(): Any? {
        skipSpace()
        check(pos < s.length) { "unexpected end of JSON" }
        return when (val c = s[pos]) {
            '{' -> obj()
            '[' -> arr()
            '"' -> str()
            't' -> literal("true", true)
            'f' -> literal("false", false)
            'n' -> literal("null", null)
            else -> if (c == '-' || c.isDigit()) num() else error("unexpected '$c' at $pos")
        }
    }

    private fun literal(word: String, v: Any?): Any? {
        check(s.startsWith(word, pos)) { "bad literal at $pos" }
        pos += word.length
        return v
    }

    private fun num(): Double {
        val start = pos
        while (pos < s.length && (s[pos].isDigit() || s[pos] in "+-.eE")) pos++
        return s.substring(start, pos).toDouble()
    }

    private fun str(): String {
        pos++ // opening quote
        val out = StringBuilder()
        while (true) {
            check(pos < s.length) { "unterminated string" }
            when (val c = s[pos++]) {
                '"' -> return out.toString()
                '\\' -> {
                    when (val e = s[pos++]) {
                        'n' -> out.append('\n')
                        't' -> out.append('\t')
                        'r' -> out.append('\r')
                        'b' -> out.append('\b')
                        'f' -> out.append('\u000c')
                        'u' -> {
                            out.append(s.substring(pos, pos + 4).toInt(16).toChar())
                            pos += 4
                        }
                        else -> out.append(e)
                    }
                }
                else -> out.append(c)
            }
        }
    }

    private fun arr(): List<Any?> {
        pos++
        val out = mutableListOf<Any?>()
        skipSpace()
        if (s[pos] == ']') {
            pos++
            return out
        }
        while (true) {
            out.add(value())
            skipSpace()
            when (s[pos++]) {
                ',' -> continue
                ']' -> return out
                else -> error("expected , or ] at ${pos - 1}")
            }
        }
    }

    private fun obj(): Map<String, Any?> {
        pos++
        val out = LinkedHashMap<String, Any?>()
        skipSpace()
        if (s[pos] == '}') {
            pos++
            return out
        }
        while (true) {
            skipSpace()
            val key = str()
            skipSpace()
            check(s[pos++] == ':') { "expected : at ${pos - 1}" }
            out[key] = value()
            skipSpace()
            when (s[pos++]) {
                ',' -> continue
                '}' -> return out
                else -> error("expected , or } at ${pos - 1}")
            }
        }
    }
}
