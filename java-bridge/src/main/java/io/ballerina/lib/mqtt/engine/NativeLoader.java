package io.ballerina.lib.mqtt.engine;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;

/**
 * Loads the engine library once per class loader, trying in this order:
 * <ol>
 *   <li>the file named by system property {@value #LIBRARY_PROPERTY}, when set (nothing else is
 *       tried: an explicit choice that fails must not be replaced by another library);</li>
 *   <li>{@code System.loadLibrary("mqtt_engine")}: a library on {@code java.library.path} (an OS
 *       package, a GraalVM native image's directory) wins over the copy in the jar;</li>
 *   <li>{@code /native/<os>-<arch>/<libname>} from the jar, extracted into folder
 *       {@value #EXTRACT_DIR_PROPERTY} when set, else into {@code <java.io.tmpdir>/mqtt-engine-<user>}
 *       and, when loading from there fails (a temp folder mounted {@code noexec}), into the user's
 *       cache folder (see {@link #defaultExtractDirs}).</li>
 * </ol>
 * Extraction is safe with several JVMs at once: the library is written to a unique temporary
 * file in the target folder, its SHA-256 is checked, and it is renamed atomically to a name that
 * carries that SHA-256; a file already there is reused only when its content has the same SHA-256.
 */
final class NativeLoader {
    /**
     * Makes the first load the only one; a lock, not {@code synchronized}: loading happens on the first
     * connect, which a Ballerina strand's virtual thread may make, and must not pin its carrier.
     */
    private static final ReentrantLock LOAD_LOCK = new ReentrantLock();
    static final String LIBRARY_PROPERTY = "mqtt.engine.library";
    static final String EXTRACT_DIR_PROPERTY = "mqtt.engine.extractDir";
    static final String LIBRARY_NAME = "mqtt_engine";
    /** The platforms a release jar carries, as {@code <os>-<arch>} folders under {@code /native/}. */
    static final List<String> PLATFORMS =
            List.of("linux-x86_64", "linux-aarch64", "macos-x86_64", "macos-aarch64", "windows-x86_64");

    private static final System.Logger LOG = System.getLogger(NativeLoader.class.getName());
    /** Hex digits of the SHA-256 in an extracted file's name: enough to tell builds apart. */
    private static final int NAME_HASH_CHARS = 16;

    private static String loadedFrom;
    private static Throwable failure;

    /** How a library file or name becomes loaded code; {@link #SYSTEM} outside tests. */
    interface Linker {
        void load(Path file);

        void loadLibrary(String name);

        Linker SYSTEM = new Linker() {
            @Override
            public void load(Path file) {
                System.load(file.toString());
            }

            @Override
            public void loadLibrary(String name) {
                System.loadLibrary(name);
            }
        };
    }

    /** Where the libraries of the jar are read from; the class path outside tests. */
    interface Resources {
        /** The resource's content, or null when there is no such resource. */
        InputStream open(String path) throws IOException;

        boolean exists(String path);

        Resources CLASS_PATH = new Resources() {
            @Override
            public InputStream open(String path) {
                return NativeLoader.class.getResourceAsStream(path);
            }

            @Override
            public boolean exists(String path) {
                return NativeLoader.class.getResource(path) != null;
            }
        };
    }

    private final String osName;
    private final String osArch;
    private final UnaryOperator<String> property;
    private final Resources resources;
    private final Linker linker;
    private final List<Folder> defaultDirs;

    /**
     * An extraction folder. {@code sharedTemp}: it is in the temp folder every user can write to, so
     * it is created owner-only and refused when another user owns it (who could swap the file between
     * its check and its loading).
     */
    record Folder(Path path, boolean sharedTemp) {
    }

    NativeLoader(String osName, String osArch, UnaryOperator<String> property, Resources resources, Linker linker,
            List<Folder> defaultDirs) {
        this.osName = osName;
        this.osArch = osArch;
        this.property = property;
        this.resources = resources;
        this.linker = linker;
        this.defaultDirs = List.copyOf(defaultDirs);
    }

    static void load() {
        LOAD_LOCK.lock();
        try {
            if (loadedFrom != null) {
                return;
            }
            if (failure != null) {
                throw new UnsatisfiedLinkError("The MQTT engine library failed to load earlier: " + failure.getMessage());
            }
            try {
                String os = osName(System.getProperty("os.name"));
                NativeLoader loader = new NativeLoader(System.getProperty("os.name"), System.getProperty("os.arch"),
                        System::getProperty, Resources.CLASS_PATH, Linker.SYSTEM,
                        defaultExtractDirs(os, System::getProperty, System::getenv));
                loadedFrom = loader.loadLibrary();
                LOG.log(System.Logger.Level.DEBUG, "MQTT engine library loaded from {0}", loadedFrom);
            } catch (UnsatisfiedLinkError | RuntimeException e) {
                failure = e;
                throw e;
            }
        } finally {
            LOAD_LOCK.unlock();
        }
    }

    /** Where the library of this class loader came from (a file, or java.library.path); null before. */
    static String loadedFrom() {
        LOAD_LOCK.lock();
        try {
            return loadedFrom;
        } finally {
            LOAD_LOCK.unlock();
        }
    }

    /** Loads the library; returns the file it came from, or {@code java.library.path}. */
    String loadLibrary() {
        String explicit = property.apply(LIBRARY_PROPERTY);
        if (explicit != null && !explicit.isBlank()) {
            Path path = Path.of(explicit).toAbsolutePath();
            if (!Files.isRegularFile(path)) {
                throw new UnsatisfiedLinkError("The MQTT engine library " + path + " named by system property "
                        + LIBRARY_PROPERTY + " does not exist");
            }
            linker.load(path);
            return path.toString();
        }
        String notOnLibraryPath;
        try {
            linker.loadLibrary(LIBRARY_NAME);
            return "java.library.path";
        } catch (UnsatisfiedLinkError e) {
            notOnLibraryPath = e.getMessage();
        }
        String resource = resourcePath(osName, osArch);
        if (!resources.exists(resource)) {
            throw new UnsatisfiedLinkError("No MQTT engine library for OS '" + osName + "' and architecture '"
                    + osArch + "': resource " + resource + " is not in the jar, which holds " + platformsInJar()
                    + "; nor is it on java.library.path (" + notOnLibraryPath + "). Build the engine for this "
                    + "platform and name the file with -D" + LIBRARY_PROPERTY + "=<path>, or put it on "
                    + "java.library.path");
        }
        return extractAndLoad(resource);
    }

    private String extractAndLoad(String resource) {
        byte[] library = read(resource);
        String sha256 = sha256(library);
        String explicitDir = property.apply(EXTRACT_DIR_PROPERTY);
        boolean explicit = explicitDir != null && !explicitDir.isBlank();
        List<Folder> dirs = explicit ? List.of(new Folder(Path.of(explicitDir).toAbsolutePath(), false)) : defaultDirs;
        List<String> failures = new ArrayList<>();
        for (Folder dir : dirs) {
            Path file;
            try {
                file = extract(library, sha256, fileName(resource), dir);
            } catch (IOException e) {
                failures.add(dir.path() + ": cannot extract there (" + e + ")");
                continue;
            }
            try {
                linker.load(file);
                return file.toString();
            } catch (UnsatisfiedLinkError e) {
                // Typically a folder on a file system mounted noexec: mapping the file as code is refused.
                String why = String.valueOf(e.getMessage());
                failures.add(why.contains(file.toString()) ? why : file + ": " + why);
                LOG.log(System.Logger.Level.WARNING, "The MQTT engine library extracted to {0} could not be loaded "
                        + "({1}); is the folder on a file system mounted noexec? Trying the next folder", file,
                        e.getMessage());
            }
        }
        throw new UnsatisfiedLinkError("Could not load the MQTT engine library " + resource + " from "
                + (explicit ? "folder " + EXTRACT_DIR_PROPERTY + "=" + explicitDir : "any extraction folder")
                + ": " + String.join("; ", failures) + ". Name a folder where files may be executed with -D"
                + EXTRACT_DIR_PROPERTY + "=<folder>, or the library file with -D" + LIBRARY_PROPERTY + "=<path>");
    }

    /** Puts the library into {@code folder} as {@code <name>-<sha256 prefix>.<ext>} and returns that file. */
    static Path extract(byte[] library, String sha256, String fileName, Folder folder) throws IOException {
        Path dir = folder.path();
        createFolder(dir, folder.sharedTemp());
        int dot = fileName.lastIndexOf('.');
        Path target = dir.resolve(fileName.substring(0, dot) + "-" + sha256.substring(0, NAME_HASH_CHARS)
                + fileName.substring(dot));
        if (Files.isRegularFile(target) && sha256(Files.readAllBytes(target)).equals(sha256)) {
            return target;
        }
        Path temp = Files.createTempFile(dir, fileName + "-", ".tmp");
        try {
            Files.write(temp, library);
            if (!sha256(Files.readAllBytes(temp)).equals(sha256)) {
                throw new IOException("the copy written to " + temp + " does not have the library's SHA-256");
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                // The unique file itself is complete and verified: load it under its own name.
                return keepForThisRun(temp);
            } catch (IOException e) {
                // Windows refuses to replace a library another JVM has loaded: fine if that one is right.
                if (Files.isRegularFile(target) && sha256(Files.readAllBytes(target)).equals(sha256)) {
                    return target;
                }
                return keepForThisRun(temp);
            }
            return target;
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static Path keepForThisRun(Path temp) throws IOException {
        Path kept = temp.resolveSibling(temp.getFileName() + ".lib");
        Files.move(temp, kept);
        kept.toFile().deleteOnExit();
        return kept;
    }

    private static void createFolder(Path dir, boolean ownerOnly) throws IOException {
        boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
        if (!Files.isDirectory(dir)) {
            FileAttribute<?>[] attributes = ownerOnly && posix
                    ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(
                            PosixFilePermissions.fromString("rwx------"))}
                    : new FileAttribute<?>[0];
            try {
                Files.createDirectories(dir, attributes);
            } catch (FileAlreadyExistsException raced) {
                // Another JVM created it meanwhile; checked below like any existing folder.
            }
        }
        if (ownerOnly && posix) {
            Path probe = Files.createTempFile(dir, ".owner-", ".tmp");
            try {
                if (!Files.getOwner(probe).equals(Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS))) {
                    throw new IOException(dir + " belongs to " + Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS)
                            + ", not to this user");
                }
            } finally {
                Files.deleteIfExists(probe);
            }
        }
    }

    /**
     * The extraction folders tried in turn when {@value #EXTRACT_DIR_PROPERTY} is not set: the temp
     * folder, then the user's cache folder, which is on a file system that allows executables where a
     * hardened host mounts {@code /tmp} noexec ({@code $XDG_CACHE_HOME} or {@code ~/.cache} on Linux,
     * {@code ~/Library/Caches} on macOS, {@code %LOCALAPPDATA%} on Windows).
     */
    static List<Folder> defaultExtractDirs(String os, UnaryOperator<String> property, UnaryOperator<String> env) {
        List<Folder> dirs = new ArrayList<>();
        String tmp = property.apply("java.io.tmpdir");
        if (tmp != null && !tmp.isBlank()) {
            String user = property.apply("user.name");
            String safeUser = user == null ? "user" : user.replaceAll("[^A-Za-z0-9._-]", "_");
            dirs.add(new Folder(Path.of(tmp, "mqtt-engine-" + safeUser).toAbsolutePath(), true));
        }
        Path cache = userCacheDir(os, property.apply("user.home"), env);
        if (cache != null) {
            dirs.add(new Folder(cache.resolve("mqtt-engine").toAbsolutePath(), false));
        }
        return dirs;
    }

    private static Path userCacheDir(String os, String home, UnaryOperator<String> env) {
        if ("windows".equals(os)) {
            String local = env.apply("LOCALAPPDATA");
            if (local != null && !local.isBlank()) {
                return Path.of(local);
            }
            return home == null || home.isBlank() ? null : Path.of(home, "AppData", "Local");
        }
        if (!"macos".equals(os)) {
            String xdg = env.apply("XDG_CACHE_HOME");
            if (xdg != null && Path.of(xdg).isAbsolute()) {
                return Path.of(xdg);
            }
        }
        if (home == null || home.isBlank()) {
            return null;
        }
        return "macos".equals(os) ? Path.of(home, "Library", "Caches") : Path.of(home, ".cache");
    }

    /** The platforms of {@link #PLATFORMS} whose library is in the jar, e.g. {@code [linux-x86_64]}. */
    String platformsInJar() {
        List<String> present = new ArrayList<>();
        for (String platform : PLATFORMS) {
            String os = platform.substring(0, platform.indexOf('-'));
            if (resources.exists("/native/" + platform + "/" + libraryName(os))) {
                present.add(platform);
            }
        }
        return present.isEmpty() ? "no engine library at all" : "the libraries of " + present;
    }

    private byte[] read(String resource) {
        try (InputStream in = resources.open(resource)) {
            if (in == null) {
                throw new UnsatisfiedLinkError("The MQTT engine library " + resource + " could not be read");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            UnsatisfiedLinkError error = new UnsatisfiedLinkError("Could not read the MQTT engine library "
                    + resource + " from the jar: " + e.getMessage());
            error.initCause(e);
            throw error;
        }
    }

    static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every Java platform has SHA-256", e);
        }
    }

    private static String fileName(String resource) {
        return resource.substring(resource.lastIndexOf('/') + 1);
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
}
