package io.ballerina.lib.mqtt.engine;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Loads the engine library once per class loader. System property {@value #LIBRARY_PROPERTY}
 * names a library file to load instead; otherwise {@code /native/<os>-<arch>/<libname>} is
 * extracted from the jar to a temporary file and loaded.
 */
final class NativeLoader {
    /**
     * Makes the first load the only one; a lock, not {@code synchronized}: loading happens on the first
     * connect, which a Ballerina strand's virtual thread may make, and must not pin its carrier.
     */
    private static final ReentrantLock LOAD_LOCK = new ReentrantLock();
    static final String LIBRARY_PROPERTY = "mqtt.engine.library";

    private static boolean loaded;
    private static Throwable failure;

    private NativeLoader() {
    }

    static void load() {
        LOAD_LOCK.lock();
        try {
            if (loaded) {
                return;
            }
            if (failure != null) {
                throw new UnsatisfiedLinkError("The MQTT engine library failed to load earlier: " + failure.getMessage());
            }
            try {
                String explicit = System.getProperty(LIBRARY_PROPERTY);
                if (explicit != null && !explicit.isBlank()) {
                    Path path = Path.of(explicit).toAbsolutePath();
                    if (!Files.isRegularFile(path)) {
                        throw new UnsatisfiedLinkError("The MQTT engine library " + path + " named by system property "
                                + LIBRARY_PROPERTY + " does not exist");
                    }
                    System.load(path.toString());
                } else {
                    Path extracted = extract(System.getProperty("os.name"), System.getProperty("os.arch"));
                    System.load(extracted.toString());
                }
                loaded = true;
            } catch (UnsatisfiedLinkError | RuntimeException e) {
                failure = e;
                throw e;
            }
        } finally {
            LOAD_LOCK.unlock();
        }
    }

    /** {@code linux}, {@code macos} or {@code windows}; null when unknown. */
    static String osName(String osName) {
        String os = osName == null ? "" : osName.toLowerCase(Locale.ROOT);
        if (os.startsWith("linux")) {
            return "linux";
        }
        if (os.startsWith("mac") || os.startsWith("darwin")) {
            return "macos";
        }
        if (os.startsWith("windows")) {
            return "windows";
        }
        return null;
    }

    /** {@code x86_64} or {@code aarch64}; null when unknown. */
    static String archName(String osArch) {
        String arch = osArch == null ? "" : osArch.toLowerCase(Locale.ROOT);
        switch (arch) {
            case "amd64":
            case "x86_64":
            case "x64":
                return "x86_64";
            case "aarch64":
            case "arm64":
                return "aarch64";
            default:
                return null;
        }
    }

    static String libraryName(String os) {
        if ("macos".equals(os)) {
            return "libmqtt_engine.dylib";
        }
        if ("windows".equals(os)) {
            return "mqtt_engine.dll";
        }
        return "libmqtt_engine.so";
    }

    /** The resource path looked for on this OS and architecture. */
    static String resourcePath(String osName, String osArch) {
        String os = osName(osName);
        String arch = archName(osArch);
        String osPart = os == null ? sanitize(osName) : os;
        String archPart = arch == null ? sanitize(osArch) : arch;
        return "/native/" + osPart + "-" + archPart + "/" + libraryName(os);
    }

    private static String sanitize(String s) {
        return s == null ? "unknown" : s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]+", "");
    }

    /** Extracts the library for this OS/arch from the class path into a temp file. */
    static Path extract(String osName, String osArch) {
        String resource = resourcePath(osName, osArch);
        try (InputStream in = NativeLoader.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new UnsatisfiedLinkError("No MQTT engine library for OS '" + osName + "' and architecture '"
                        + osArch + "': resource " + resource + " is not in the jar (build the engine for this "
                        + "platform, or name a library file with -D" + LIBRARY_PROPERTY + "=<path>)");
            }
            String fileName = resource.substring(resource.lastIndexOf('/') + 1);
            int dot = fileName.lastIndexOf('.');
            Path file = Files.createTempFile(fileName.substring(0, dot) + "-", fileName.substring(dot));
            file.toFile().deleteOnExit();
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            return file;
        } catch (IOException e) {
            UnsatisfiedLinkError error = new UnsatisfiedLinkError("Could not extract the MQTT engine library "
                    + resource + " to a temporary file: " + e.getMessage());
            error.initCause(e);
            throw error;
        }
    }
}
