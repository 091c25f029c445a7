package io.ballerina.lib.mqtt.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import io.ballerina.lib.mqtt.engine.NativeLoader.Folder;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The loader's order and extraction, with a recording linker and an in-memory jar (no real loading). */
class NativeLoaderTest {
    private static final String LINUX_X64 = "/native/linux-x86_64/libmqtt_engine.so";
    private static final byte[] LIBRARY = "pretend this is a shared library".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path tmp;

    /** Records what it was asked to load; refuses files under {@link #noexec} and, unless told, loadLibrary. */
    private static final class RecordingLinker implements NativeLoader.Linker {
        final List<Path> loaded = Collections.synchronizedList(new ArrayList<>());
        final Set<Path> noexec = new HashSet<>();
        boolean onLibraryPath;
        int loadLibraryCalls;

        @Override
        public void load(Path file) {
            for (Path dir : noexec) {
                if (file.startsWith(dir)) {
                    throw new UnsatisfiedLinkError(file + ": failed to map segment from shared object");
                }
            }
            loaded.add(file);
        }

        @Override
        public synchronized void loadLibrary(String name) {
            loadLibraryCalls++;
            assertEquals("mqtt_engine", name);
            if (!onLibraryPath) {
                throw new UnsatisfiedLinkError("no mqtt_engine in java.library.path: /usr/lib");
            }
        }
    }

    private static NativeLoader.Resources jar(Map<String, byte[]> content) {
        return new NativeLoader.Resources() {
            @Override
            public InputStream open(String path) {
                byte[] bytes = content.get(path);
                return bytes == null ? null : new ByteArrayInputStream(bytes);
            }

            @Override
            public boolean exists(String path) {
                return content.containsKey(path);
            }
        };
    }

    private static NativeLoader loader(UnaryOperator<String> properties, RecordingLinker linker, List<Folder> dirs) {
        return new NativeLoader("Linux", "amd64", properties, jar(Map.of(LINUX_X64, LIBRARY)), linker, dirs);
    }

    private static UnaryOperator<String> props(String... keyValues) {
        Map<String, String> map = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            map.put(keyValues[i], keyValues[i + 1]);
        }
        return map::get;
    }

    private static String contentAddressedName() {
        return "libmqtt_engine-" + NativeLoader.sha256(LIBRARY).substring(0, 16) + ".so";
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void resourcePaths() {
        assertEquals("/native/linux-x86_64/libmqtt_engine.so", NativeLoader.resourcePath("Linux", "amd64"));
        assertEquals("/native/linux-aarch64/libmqtt_engine.so", NativeLoader.resourcePath("Linux", "aarch64"));
        assertEquals("/native/macos-aarch64/libmqtt_engine.dylib", NativeLoader.resourcePath("Mac OS X", "aarch64"));
        assertEquals("/native/macos-x86_64/libmqtt_engine.dylib", NativeLoader.resourcePath("Mac OS X", "x86_64"));
        assertEquals("/native/windows-x86_64/mqtt_engine.dll", NativeLoader.resourcePath("Windows 11", "amd64"));
    }

    @Test
    void unknownPlatformNamesOsArchResourceAndThePlatformsTheJarHolds() {
        Map<String, byte[]> content = Map.of(LINUX_X64, LIBRARY,
                "/native/macos-aarch64/libmqtt_engine.dylib", LIBRARY);
        NativeLoader loader = new NativeLoader("Plan 9", "mips64", props(), jar(content), new RecordingLinker(),
                List.of(new Folder(tmp, false)));
        String message = assertThrows(UnsatisfiedLinkError.class, loader::loadLibrary).getMessage();
        assertTrue(message.contains("'Plan 9'"), message);
        assertTrue(message.contains("'mips64'"), message);
        assertTrue(message.contains("/native/plan9-mips64/libmqtt_engine.so"), message);
        assertTrue(message.contains("[linux-x86_64, macos-aarch64]"), message);
        assertTrue(message.contains("no mqtt_engine in java.library.path"), message);
        assertTrue(message.contains("-D" + NativeLoader.LIBRARY_PROPERTY), message);
    }

    @Test
    void aJarWithoutAnyLibrarySaysSo() {
        NativeLoader loader = new NativeLoader("Linux", "amd64", props(), jar(Map.of()), new RecordingLinker(),
                List.of(new Folder(tmp, false)));
        String message = assertThrows(UnsatisfiedLinkError.class, loader::loadLibrary).getMessage();
        assertTrue(message.contains("no engine library at all"), message);
    }

    @Test
    void theFileNamedByThePropertyIsLoadedAndNothingElseTried() throws IOException {
        Path file = Files.write(tmp.resolve("custom.so"), LIBRARY);
        RecordingLinker linker = new RecordingLinker();
        linker.onLibraryPath = true;
        String from = loader(props(NativeLoader.LIBRARY_PROPERTY, file.toString()), linker,
                List.of(new Folder(tmp.resolve("x"), false))).loadLibrary();
        assertEquals(file.toAbsolutePath().toString(), from);
        assertEquals(List.of(file.toAbsolutePath()), linker.loaded);
        assertEquals(0, linker.loadLibraryCalls);
    }

    @Test
    void aMissingFileNamedByThePropertyIsAnError() {
        Path missing = tmp.resolve("missing.so");
        RecordingLinker linker = new RecordingLinker();
        linker.onLibraryPath = true;
        String message = assertThrows(UnsatisfiedLinkError.class,
                () -> loader(props(NativeLoader.LIBRARY_PROPERTY, missing.toString()), linker, List.of())
                        .loadLibrary()).getMessage();
        assertTrue(message.contains(missing.toString()), message);
        assertTrue(message.contains(NativeLoader.LIBRARY_PROPERTY), message);
        assertEquals(0, linker.loadLibraryCalls, "an explicit file that fails is not replaced by another library");
    }

    @Test
    void aLibraryOnTheLibraryPathWinsOverTheJar() throws IOException {
        RecordingLinker linker = new RecordingLinker();
        linker.onLibraryPath = true;
        Path dir = tmp.resolve("extract");
        assertEquals("java.library.path", loader(props(), linker, List.of(new Folder(dir, true))).loadLibrary());
        assertTrue(linker.loaded.isEmpty());
        assertFalse(Files.exists(dir), "nothing extracted");
    }

    @Test
    void extractsToAContentAddressedNameInTheNamedFolder() throws IOException {
        Path dir = tmp.resolve("named");
        RecordingLinker linker = new RecordingLinker();
        String from = loader(props(NativeLoader.EXTRACT_DIR_PROPERTY, dir.toString()), linker,
                List.of(new Folder(tmp.resolve("default"), true))).loadLibrary();
        Path expected = dir.resolve(contentAddressedName());
        assertEquals(expected.toString(), from);
        assertEquals(List.of(expected), linker.loaded);
        assertArrayEquals(LIBRARY, Files.readAllBytes(expected));
        assertEquals(List.of(contentAddressedName()), names(dir), "no temporary file left behind");
        assertFalse(Files.exists(tmp.resolve("default")), "the named folder replaces the default ones");
    }

    @Test
    void aFileAlreadyExtractedWithTheSameContentIsReused() throws IOException {
        Path dir = tmp.resolve("reuse");
        loader(props(), new RecordingLinker(), List.of(new Folder(dir, false))).loadLibrary();
        Path file = dir.resolve(contentAddressedName());
        FileTime old = FileTime.fromMillis(1_000_000_000_000L);
        Files.setLastModifiedTime(file, old);
        Object identity = Files.readAttributes(file, "basic:fileKey").get("fileKey");

        RecordingLinker second = new RecordingLinker();
        loader(props(), second, List.of(new Folder(dir, false))).loadLibrary();
        assertEquals(List.of(file), second.loaded);
        assertEquals(old, Files.getLastModifiedTime(file), "not written again");
        assertEquals(identity, Files.readAttributes(file, "basic:fileKey").get("fileKey"));
    }

    @Test
    void aDamagedFileUnderTheContentAddressedNameIsReplaced() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("damaged"));
        Path file = dir.resolve(contentAddressedName());
        Files.write(file, "truncated".getBytes(StandardCharsets.UTF_8));
        RecordingLinker linker = new RecordingLinker();
        loader(props(), linker, List.of(new Folder(dir, false))).loadLibrary();
        assertEquals(List.of(file), linker.loaded);
        assertArrayEquals(LIBRARY, Files.readAllBytes(file));
    }

    @Test
    void aFolderWhereLoadingFailsFallsBackToTheNext() throws IOException {
        Path noexecTemp = tmp.resolve("tmp-noexec");
        Path cache = tmp.resolve("home-cache");
        RecordingLinker linker = new RecordingLinker();
        linker.noexec.add(noexecTemp);
        String from = loader(props(), linker, List.of(new Folder(noexecTemp, true), new Folder(cache, false)))
                .loadLibrary();
        assertEquals(cache.resolve(contentAddressedName()).toString(), from);
        assertEquals(List.of(cache.resolve(contentAddressedName())), linker.loaded);
    }

    @Test
    void whenEveryFolderFailsTheErrorNamesEachAndTheProperties() {
        Path first = tmp.resolve("first");
        Path second = tmp.resolve("second");
        RecordingLinker linker = new RecordingLinker();
        linker.noexec.add(first);
        linker.noexec.add(second);
        String message = assertThrows(UnsatisfiedLinkError.class,
                () -> loader(props(), linker, List.of(new Folder(first, true), new Folder(second, false)))
                        .loadLibrary()).getMessage();
        assertTrue(message.contains(first.resolve(contentAddressedName()) + ": "), message);
        assertTrue(message.contains(second.resolve(contentAddressedName()) + ": "), message);
        assertTrue(message.contains("failed to map segment"), message);
        assertTrue(message.contains("-D" + NativeLoader.EXTRACT_DIR_PROPERTY), message);
        assertTrue(message.contains("-D" + NativeLoader.LIBRARY_PROPERTY), message);
    }

    @Test
    void aNamedFolderWhereLoadingFailsIsNotSilentlyReplaced() {
        Path named = tmp.resolve("named-noexec");
        Path fallback = tmp.resolve("fallback");
        RecordingLinker linker = new RecordingLinker();
        linker.noexec.add(named);
        String message = assertThrows(UnsatisfiedLinkError.class,
                () -> loader(props(NativeLoader.EXTRACT_DIR_PROPERTY, named.toString()), linker,
                        List.of(new Folder(fallback, false))).loadLibrary()).getMessage();
        assertTrue(message.contains(NativeLoader.EXTRACT_DIR_PROPERTY + "=" + named), message);
        assertFalse(Files.exists(fallback));
    }

    @Test
    void aFolderThatCannotBeCreatedFallsBackToTheNext() throws IOException {
        Path blocker = Files.write(tmp.resolve("a-file"), LIBRARY);
        Path cache = tmp.resolve("cache");
        RecordingLinker linker = new RecordingLinker();
        String from = loader(props(), linker, List.of(new Folder(blocker.resolve("sub"), true),
                new Folder(cache, false))).loadLibrary();
        assertEquals(cache.resolve(contentAddressedName()).toString(), from);
    }

    @Test
    void theSharedTempFolderIsCreatedOwnerOnly() throws IOException {
        Assumptions.assumeTrue(tmp.getFileSystem().supportedFileAttributeViews().contains("posix"),
                "POSIX permissions only");
        Path dir = tmp.resolve("shared");
        loader(props(), new RecordingLinker(), List.of(new Folder(dir, true))).loadLibrary();
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
    }

    @Test
    void aSharedTempFolderOwnedByAnotherUserIsRefused() throws IOException {
        Assumptions.assumeTrue(tmp.getFileSystem().supportedFileAttributeViews().contains("posix"),
                "POSIX owners only");
        Path squatted = Files.createDirectories(tmp.resolve("squatted"));
        Files.setPosixFilePermissions(squatted, PosixFilePermissions.fromString("rwxrwxrwx"));
        UserPrincipal nobody;
        try {
            nobody = tmp.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
            Files.setOwner(squatted, nobody);
        } catch (IOException | UnsupportedOperationException e) {
            Assumptions.abort("giving a folder to user nobody needs root: " + e);
            return;
        }
        Path cache = tmp.resolve("cache");
        RecordingLinker linker = new RecordingLinker();
        String from = loader(props(), linker, List.of(new Folder(squatted, true), new Folder(cache, false)))
                .loadLibrary();
        assertEquals(cache.resolve(contentAddressedName()).toString(), from);
        assertEquals(List.of(), names(squatted), "nothing written into another user's folder");
    }

    @Test
    void loadersRacingOnOneFolderAllGetTheSameCompleteFile() throws Exception {
        Path dir = tmp.resolve("race");
        int loaders = 8;
        ExecutorService pool = Executors.newFixedThreadPool(loaders);
        try {
            List<Callable<String>> tasks = new ArrayList<>();
            for (int i = 0; i < loaders; i++) {
                tasks.add(() -> loader(props(), new RecordingLinker(), List.of(new Folder(dir, true))).loadLibrary());
            }
            Set<String> results = new HashSet<>();
            for (Future<String> f : pool.invokeAll(tasks)) {
                results.add(f.get());
            }
            assertEquals(Set.of(dir.resolve(contentAddressedName()).toString()), results);
            assertEquals(List.of(contentAddressedName()), names(dir), "one file, no temporary files left");
            assertArrayEquals(LIBRARY, Files.readAllBytes(dir.resolve(contentAddressedName())));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void defaultFoldersAreTheTempFolderThenTheUserCache() {
        UnaryOperator<String> props = props("java.io.tmpdir", "/tmp", "user.home", "/home/ann", "user.name", "ann");
        assertEquals(List.of(new Folder(Path.of("/tmp/mqtt-engine-ann"), true),
                new Folder(Path.of("/home/ann/.cache/mqtt-engine"), false)),
                NativeLoader.defaultExtractDirs("linux", props, props()));
        assertEquals(Path.of("/xdg/cache/mqtt-engine"), NativeLoader.defaultExtractDirs("linux", props,
                props("XDG_CACHE_HOME", "/xdg/cache")).get(1).path());
        assertEquals(Path.of("/home/ann/.cache/mqtt-engine"), NativeLoader.defaultExtractDirs("linux", props,
                props("XDG_CACHE_HOME", "relative/ignored")).get(1).path(), "XDG: a relative path is ignored");
        assertEquals(Path.of("/home/ann/Library/Caches/mqtt-engine"),
                NativeLoader.defaultExtractDirs("macos", props, props()).get(1).path());
        assertEquals(Path.of("/tmp/mqtt-engine-a_b"), NativeLoader.defaultExtractDirs("linux",
                props("java.io.tmpdir", "/tmp", "user.name", "a/b"), props()).get(0).path());
    }

    @Test
    void windowsCachesInLocalAppData() {
        Assumptions.assumeTrue("windows".equals(NativeLoader.osName(System.getProperty("os.name"))),
                "Windows paths are only parsed on Windows");
        UnaryOperator<String> props = props("java.io.tmpdir", "C:\\Temp", "user.home", "C:\\Users\\ann");
        assertEquals(Path.of("C:\\Users\\ann\\AppData\\Local\\mqtt-engine"),
                NativeLoader.defaultExtractDirs("windows", props, props()).get(1).path());
        assertEquals(Path.of("D:\\Local\\mqtt-engine"),
                NativeLoader.defaultExtractDirs("windows", props, props("LOCALAPPDATA", "D:\\Local")).get(1).path());
    }
}
