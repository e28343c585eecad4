package org.isthmus.mapping;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The files of a test resource directory, such as the RFC examples the fuzz tests start from. */
public final class TestResources {

    private TestResources() {
    }

    /** The contents of every file in the resource directory {@code directory}, in name order. */
    public static Stream<byte[]> files(String directory) {
        URL url = TestResources.class.getResource(directory);
        if (url == null) {
            throw new IllegalArgumentException("no test resource directory " + directory);
        }
        try (Stream<Path> listing = Files.list(Path.of(url.toURI()))) {
            List<Path> paths = listing.filter(Files::isRegularFile).sorted().toList();
            return paths.stream().map(TestResources::read);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static byte[] read(Path path) {
        try {
            return Files.readAllBytes(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
