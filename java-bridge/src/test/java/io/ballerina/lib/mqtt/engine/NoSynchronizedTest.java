package io.ballerina.lib.mqtt.engine;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ballerina 2201.11 runs strands on Java 21 virtual threads, and a virtual thread that blocks (a JNI
 * call, a wait for the engine) inside {@code synchronized} pins its carrier thread. The bridge therefore
 * uses java.util.concurrent.locks only: this test fails when the keyword comes back in src/main.
 */
class NoSynchronizedTest {
    private static final Path MAIN_SOURCES = Path.of("src/main/java");
    /** Comments and string or char literals, which may mention the word without using it. */
    private static final Pattern NOT_CODE = Pattern.compile(
            "//[^\\n]*|/\\*(?s:.*?)\\*/|\"(?:\\\\.|[^\"\\\\])*\"|'(?:\\\\.|[^'\\\\])*'");
    private static final Pattern KEYWORD = Pattern.compile("\\bsynchronized\\b");

    @Test
    void mainSourcesDoNotUseSynchronized() throws IOException {
        List<String> uses = new ArrayList<>();
        List<Path> sources;
        try (Stream<Path> files = Files.walk(MAIN_SOURCES)) {
            sources = files.filter(p -> p.toString().endsWith(".java")).toList();
        }
        assertTrue(sources.size() > 10, "found the main sources: " + sources.size());
        for (Path source : sources) {
            String code = codeOnly(Files.readString(source));
            Matcher m = KEYWORD.matcher(code);
            while (m.find()) {
                uses.add(source + ":" + lineOf(code, m.start()));
            }
        }
        assertEquals(List.of(), uses, "synchronized pins a virtual thread's carrier; use a ReentrantLock");
    }

    @Test
    void theScanFindsTheKeywordInCodeButNotInComments() {
        String sample = "/** not {@code synchronized} */\nclass A {\n  // synchronized\n"
                + "  String s = \"synchronized\";\n  synchronized void f() {}\n}\n";
        String code = codeOnly(sample);
        Matcher m = KEYWORD.matcher(code);
        assertTrue(m.find());
        assertEquals(5, lineOf(code, m.start()));
    }

    /** The source with comments and literals blanked out, keeping the line breaks. */
    private static String codeOnly(String source) {
        Matcher m = NOT_CODE.matcher(source);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(m.group().replaceAll("[^\\n]", " ")));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static int lineOf(String text, int offset) {
        int line = 1;
        for (int i = 0; i < offset; i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }
}
