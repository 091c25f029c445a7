package io.ballerina.lib.mqtt.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loader for real: child JVMs load the engine library that the build put on the class path
 * (target/classes/native/&lt;os&gt;-&lt;arch&gt;/) and call a native method.
 */
class NativeLoaderProcessTest {
    private static final String PROBE = NativeLoaderProbe.class.getName();
    private static String resource;
    private static byte[] library;

    @TempDir
    Path tmp;

    @BeforeAll
    static void hostLibraryIsOnTheClassPath() throws IOException {
        resource = NativeLoader.resourcePath(System.getProperty("os.name"), System.getProperty("os.arch"));
        try (InputStream in = NativeLoader.class.getResourceAsStream(resource)) {
            Assumptions.assumeTrue(in != null, resource + " is not on the class path (built with -Dcargo.skip=true "
                    + "and no library in target/release?)");
            library = in.readAllBytes();
        }
    }

    private record Run(int exitCode, String output) {
        String loadedFrom() {
            return output.lines().filter(l -> l.startsWith("LOADED ")).map(l -> l.substring(7)).findFirst()
                    .orElse("(nothing loaded)");
        }
    }

    private static ProcessBuilder probe(List<String> jvmOptions) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xcheck:jni");
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(PROBE);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        // The default cache folder must come from user.home, which each test sets.
        builder.environment().remove("XDG_CACHE_HOME");
        return builder;
    }

    private static Run finish(Process p) throws IOException, InterruptedException {
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "probe JVM did not exit");
        return new Run(p.exitValue(), output);
    }

    private static Run run(String... jvmOptions) throws IOException, InterruptedException {
        return finish(probe(List.of(jvmOptions)).start());
    }

    private static void assertLoaded(Run run) {
        assertEquals(0, run.exitCode(), run.output());
        assertTrue(run.output().contains("STATUS 4"), "the native method answered for an unknown handle: "
                + run.output());
    }

    private static String fileName() {
        String name = resource.substring(resource.lastIndexOf('/') + 1);
        int dot = name.lastIndexOf('.');
        return name.substring(0, dot) + "-" + NativeLoader.sha256(library).substring(0, 16) + name.substring(dot);
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void extractsIntoTheNamedFolderAndASecondJvmReusesTheFile() throws Exception {
        Path dir = tmp.resolve("extract");
        Run first = run("-D" + NativeLoader.EXTRACT_DIR_PROPERTY + "=" + dir);
        assertLoaded(first);
        Path file = dir.resolve(fileName());
        assertEquals(file.toString(), first.loadedFrom());
        Object identity = Files.readAttributes(file, "basic:fileKey").get("fileKey");
        long modified = Files.getLastModifiedTime(file).toMillis();

        Run second = run("-D" + NativeLoader.EXTRACT_DIR_PROPERTY + "=" + dir);
        assertLoaded(second);
        assertEquals(file.toString(), second.loadedFrom());
        assertEquals(identity, Files.readAttributes(file, "basic:fileKey").get("fileKey"), "same file");
        assertEquals(modified, Files.getLastModifiedTime(file).toMillis(), "not rewritten");
        assertEquals(List.of(fileName()), names(dir));
    }

    @Test
    void jvmsStartingTogetherShareOneExtractedFile() throws Exception {
        Path home = tmp.resolve("home");
        Path temp = Files.createDirectories(tmp.resolve("temp"));
        List<Process> jvms = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            jvms.add(probe(List.of("-Djava.io.tmpdir=" + temp, "-Duser.home=" + home)).start());
        }
        Path dir = temp.resolve("mqtt-engine-" + System.getProperty("user.name").replaceAll("[^A-Za-z0-9._-]", "_"));
        for (Process jvm : jvms) {
            Run run = finish(jvm);
            assertLoaded(run);
            assertEquals(dir.resolve(fileName()).toString(), run.loadedFrom());
        }
        assertEquals(List.of(fileName()), names(dir), "one library, no temporary files left");
    }

    @Test
    void aLibraryOnTheLibraryPathIsLoadedFirst() throws Exception {
        Path libs = Files.createDirectories(tmp.resolve("libs"));
        Files.write(libs.resolve(resource.substring(resource.lastIndexOf('/') + 1)), library);
        Path unused = tmp.resolve("unused");
        Run run = run("-Djava.library.path=" + libs, "-D" + NativeLoader.EXTRACT_DIR_PROPERTY + "=" + unused);
        assertLoaded(run);
        assertEquals("java.library.path", run.loadedFrom());
        assertTrue(Files.notExists(unused), "nothing extracted");
    }

    @Test
    void theFileNamedByThePropertyIsLoaded() throws Exception {
        Path file = Files.write(tmp.resolve("engine-copy.lib"), library);
        Run run = run("-D" + NativeLoader.LIBRARY_PROPERTY + "=" + file);
        assertLoaded(run);
        assertEquals(file.toString(), run.loadedFrom());
    }

    /**
     * A temp folder mounted noexec (hardened servers): the library extracted there cannot be mapped,
     * so the loader retries in the user's cache folder. Needs root for the tmpfs mount.
     */
    @Test
    @EnabledOnOs(OS.LINUX)
    void aNoexecTempFolderFallsBackToTheUserCache() throws Exception {
        Path mount = Files.createDirectories(tmp.resolve("noexec"));
        Process mounting = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "noexec,size=64m", "tmpfs",
                mount.toString()).redirectErrorStream(true).start();
        String mountOutput = new String(mounting.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        Assumptions.assumeTrue(mounting.waitFor() == 0,
                "cannot mount a noexec tmpfs here (needs root): " + mountOutput.strip());
        try {
            Path home = tmp.resolve("home");
            Run run = finish(probe(List.of("-Djava.io.tmpdir=" + mount, "-Duser.home=" + home)).start());
            assertLoaded(run);
            Path cached = home.resolve(".cache").resolve("mqtt-engine").resolve(fileName());
            assertEquals(cached.toString(), run.loadedFrom());
            assertTrue(run.output().contains("noexec"), "the fallback is logged: " + run.output());
        } finally {
            Process unmounting = new ProcessBuilder("umount", mount.toString()).redirectErrorStream(true).start();
            unmounting.getInputStream().readAllBytes();
            assertEquals(0, unmounting.waitFor(), "umount " + mount);
        }
    }

    @Test
    void theErrorForAPlatformTheJarLacksNamesItAndWhatTheJarHolds() throws Exception {
        // os.arch given on the command line replaces the JVM's own value for the loader.
        Run run = run("-Dos.arch=riscv64");
        assertTrue(run.exitCode() != 0, run.output());
        String platform = NativeLoader.osName(System.getProperty("os.name")) + "-riscv64";
        assertTrue(run.output().contains("/native/" + platform + "/"), run.output());
        String host = NativeLoader.osName(System.getProperty("os.name")) + "-"
                + NativeLoader.archName(System.getProperty("os.arch"));
        assertTrue(run.output().contains("the libraries of [" + host + "]"), run.output());
    }
}
