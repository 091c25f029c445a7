import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Build support, run by the pom in source-file mode ({@code java DeleteFile.java FILE...}): deletes the
 * files named, if they exist, on every OS (the pom's forget-module-descriptor execution).
 */
public final class DeleteFile {
    private DeleteFile() {
    }

    public static void main(String[] args) throws IOException {
        for (String file : args) {
            Files.deleteIfExists(Path.of(file));
        }
    }
}
