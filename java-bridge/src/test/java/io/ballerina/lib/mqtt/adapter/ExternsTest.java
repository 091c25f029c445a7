package io.ballerina.lib.mqtt.adapter;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every {@code @java:Method} of ballerina/*.bal (as {@code tools/check_bal_api.py --externs-json}
 * reads them) names a public static method of the bridge with the matching Java parameter list,
 * and every public static adapter method is named by one; and the adapters never use the
 * stand-in's test hook package.
 */
class ExternsTest {
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();

    @Test
    void everyExternNamesAnAdapterMethodWithMatchingParameters() throws Exception {
        Process p = new ProcessBuilder("python3", "tools/check_bal_api.py", "--externs-json")
                .directory(REPO.toFile()).redirectErrorStream(false).start();
        String json = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), err);
        @SuppressWarnings("unchecked")
        List<Object> rows = (List<Object>) new Json(json).value();
        assertTrue(rows.size() >= 20, "externs: " + rows.size());
        Set<String> named = new HashSet<>();
        for (Object o : rows) {
            @SuppressWarnings("unchecked")
            Map<String, Object> row = (Map<String, Object>) o;
            String where = row.get("bal_file") + ": " + row.get("bal_function");
            Class<?> cls = Class.forName((String) row.get("java_class"));
            @SuppressWarnings("unchecked")
            List<Object> params = (List<Object>) row.get("java_param_classes");
            Class<?>[] types = new Class<?>[params.size()];
            for (int i = 0; i < types.length; i++) {
                types[i] = classOf((String) params.get(i));
            }
            Method m = cls.getMethod((String) row.get("java_method"), types);
            assertTrue(Modifier.isStatic(m.getModifiers()) && Modifier.isPublic(m.getModifiers()), where);
            assertEquals(row.get("java_return"), m.getReturnType().getSimpleName(), where);
            named.add(cls.getSimpleName() + "." + m.getName());
        }
        for (String c : List.of("ModuleUtils", "ClientAdapter", "StreamAdapter", "ListenerAdapter", "CallerAdapter")) {
            Class<?> cls = Class.forName("io.ballerina.lib.mqtt.adapter." + c);
            for (Method m : cls.getDeclaredMethods()) {
                if (Modifier.isPublic(m.getModifiers()) && Modifier.isStatic(m.getModifiers())
                        && !(c.equals("ModuleUtils") && m.getName().equals("getModule"))) {
                    assertTrue(named.contains(c + "." + m.getName()), c + "." + m.getName() + " is named by no extern");
                }
            }
        }
    }

    @Test
    void adaptersDoNotUseTheStandInHook() throws IOException {
        Path dir = Path.of("target/classes/io/ballerina/lib/mqtt/adapter");
        List<Path> classes = new ArrayList<>();
        try (var s = Files.list(dir)) {
            s.filter(f -> f.toString().endsWith(".class")).forEach(classes::add);
        }
        assertFalse(classes.isEmpty());
        for (Path c : classes) {
            String bytes = new String(Files.readAllBytes(c), StandardCharsets.ISO_8859_1);
            assertFalse(bytes.contains("io/ballerina/runtime/standin"), c + " uses the stand-in's test hook");
        }
    }

    private static Class<?> classOf(String name) throws ClassNotFoundException {
        return switch (name) {
            case "long" -> long.class;
            case "boolean" -> boolean.class;
            case "Object" -> Object.class;
            default -> Class.forName(name.contains(".") ? name : "java.lang." + name);
        };
    }

    /** Just enough JSON for the extern table: objects, arrays, strings, numbers, true/false/null. */
    private static final class Json {
        private final String s;
        private int i;

        Json(String s) {
            this.s = s;
        }

        Object value() {
            ws();
            char c = s.charAt(i);
            if (c == '{') {
                Map<String, Object> m = new LinkedHashMap<>();
                i++;
                ws();
                if (s.charAt(i) == '}') {
                    i++;
                    return m;
                }
                while (true) {
                    ws();
                    String k = string();
                    ws();
                    i++; // :
                    m.put(k, value());
                    ws();
                    if (s.charAt(i++) == '}') {
                        return m;
                    }
                }
            }
            if (c == '[') {
                List<Object> l = new ArrayList<>();
                i++;
                ws();
                if (s.charAt(i) == ']') {
                    i++;
                    return l;
                }
                while (true) {
                    l.add(value());
                    ws();
                    if (s.charAt(i++) == ']') {
                        return l;
                    }
                }
            }
            if (c == '"') {
                return string();
            }
            int start = i;
            while (i < s.length() && ",}] \n\r\t".indexOf(s.charAt(i)) < 0) {
                i++;
            }
            String word = s.substring(start, i);
            return switch (word) {
                case "true" -> Boolean.TRUE;
                case "false" -> Boolean.FALSE;
                case "null" -> null;
                default -> Double.valueOf(word);
            };
        }

        private String string() {
            StringBuilder b = new StringBuilder();
            i++;
            while (s.charAt(i) != '"') {
                char c = s.charAt(i++);
                if (c == '\\') {
                    char e = s.charAt(i++);
                    switch (e) {
                        case 'n' -> b.append('\n');
                        case 't' -> b.append('\t');
                        case 'u' -> {
                            b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                            i += 4;
                        }
                        default -> b.append(e);
                    }
                } else {
                    b.append(c);
                }
            }
            i++;
            return b.toString();
        }

        private void ws() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }
    }
}
