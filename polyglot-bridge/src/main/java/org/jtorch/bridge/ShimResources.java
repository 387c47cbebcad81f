package org.jtorch.bridge;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Finds the Python {@code torch} package for a session: the folder named by the {@code jtorch.python.path}
 * system property, or else the copy packaged in the {@code torch-py-shim} jar (resources under
 * {@code jtorch-python/}), extracted once to a cache folder.
 *
 * <p>The cache folder is {@code $jtorch.cache.dir} (system property), else {@code $XDG_CACHE_HOME/jtorch}, else
 * {@code ~/.cache/jtorch}; each version of the package gets its own sub-folder {@code python-<content hash>}, so
 * several jtorch versions (and several JVMs) can share the cache. Extraction writes to a temporary folder that
 * is then renamed into place, so a half-written copy is never used.
 */
public final class ShimResources {
    /** Resource folder of the packaged Python files in the torch-py-shim jar. */
    public static final String RESOURCE_PREFIX = "jtorch-python/";
    private static final String MARKER = RESOURCE_PREFIX + "torch/__init__.py";
    private static final String COMPLETE = ".jtorch-complete";
    private static volatile Path extracted;

    private ShimResources() {}

    /** The shim folder: the {@code jtorch.python.path} property if set, else the packaged copy (extracted). */
    public static Path locate() {
        String p = System.getProperty("jtorch.python.path");
        if (p != null && !p.isBlank()) return Path.of(p).toAbsolutePath();
        return extract();
    }

    /** The packaged Python files, extracted (once per JVM, and once per content version on disk) to the cache. */
    public static Path extract() {
        Path e = extracted;
        if (e != null) return e;
        synchronized (ShimResources.class) {
            if (extracted == null) extracted = extract(cacheRoot());
            return extracted;
        }
    }

    /** Extracts the packaged Python files under {@code cacheRoot} (if not already there) and returns the folder. */
    public static Path extract(Path cacheRoot) {
        Map<String, byte[]> files = readPackaged();
        String hash = hash(files);
        Path target = cacheRoot.resolve("python-" + hash);
        if (Files.isRegularFile(target.resolve(COMPLETE))) return target;
        try {
            Files.createDirectories(cacheRoot);
            Path tmp = Files.createTempDirectory(cacheRoot, ".extract-");
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                Path out = tmp.resolve(f.getKey()).normalize();
                if (!out.startsWith(tmp)) throw new IOException("bad resource name " + f.getKey());
                Files.createDirectories(out.getParent());
                Files.write(out, f.getValue());
            }
            Files.writeString(tmp.resolve(COMPLETE), hash + "\n");
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException | java.nio.file.DirectoryNotEmptyException race) {
                deleteTree(tmp);  // another JVM or thread got there first, or a broken earlier attempt: see below
                if (!Files.isRegularFile(target.resolve(COMPLETE))) {
                    deleteTree(target);
                    return extract(cacheRoot);
                }
            }
            return target;
        } catch (IOException ex) {
            throw new UncheckedIOException("jtorch: cannot extract the Python package to " + cacheRoot
                + " (set -Djtorch.cache.dir=... to a writable folder, or -Djtorch.python.path=... to an unpacked copy)", ex);
        }
    }

    /** The default cache root (see the class comment). */
    public static Path cacheRoot() {
        String p = System.getProperty("jtorch.cache.dir");
        if (p != null && !p.isBlank()) return Path.of(p);
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) return Path.of(xdg, "jtorch");
        String home = System.getProperty("user.home");
        if (home != null && !home.isBlank() && Files.isDirectory(Path.of(home)) && Files.isWritable(Path.of(home)))
            return Path.of(home, ".cache", "jtorch");
        return Path.of(System.getProperty("java.io.tmpdir"), "jtorch-cache-" + System.getProperty("user.name", "user"));
    }

    /** Relative path to contents of every packaged Python file (no {@code __pycache__}). */
    static Map<String, byte[]> readPackaged() {
        URL marker = ShimResources.class.getClassLoader().getResource(MARKER);
        if (marker == null)
            throw new IllegalStateException("jtorch: the torch-py-shim jar (resources " + RESOURCE_PREFIX
                + ") is not on the class path; add the org.jtorch:torch-py-shim dependency or set -Djtorch.python.path");
        Map<String, byte[]> files = new TreeMap<>();
        try {
            switch (marker.getProtocol()) {
                case "file" -> {
                    Path root = Path.of(marker.toURI()).getParent().getParent();
                    try (Stream<Path> s = Files.walk(root)) {
                        for (Path f : (Iterable<Path>) s.filter(Files::isRegularFile)::iterator) {
                            String rel = root.relativize(f).toString().replace('\\', '/');
                            if (keep(rel)) files.put(rel, Files.readAllBytes(f));
                        }
                    }
                }
                case "jar" -> {
                    URLConnection c = marker.openConnection();
                    c.setUseCaches(false);
                    try (JarFile jar = ((JarURLConnection) c).getJarFile()) {
                        for (JarEntry en : (Iterable<JarEntry>) jar.stream()::iterator) {
                            String n = en.getName();
                            if (en.isDirectory() || !n.startsWith(RESOURCE_PREFIX)) continue;
                            String rel = n.substring(RESOURCE_PREFIX.length());
                            if (!keep(rel)) continue;
                            try (InputStream in = jar.getInputStream(en)) {
                                files.put(rel, in.readAllBytes());
                            }
                        }
                    }
                }
                default -> throw new IllegalStateException("jtorch: cannot list the packaged Python files from " + marker
                    + "; extract them from the torch-py-shim jar (folder " + RESOURCE_PREFIX + ") and set -Djtorch.python.path");
            }
        } catch (IOException ex) {
            throw new UncheckedIOException("jtorch: cannot read the packaged Python files from " + marker, ex);
        } catch (URISyntaxException ex) {
            throw new IllegalStateException(ex);
        }
        if (!files.containsKey("torch/__init__.py")) throw new IllegalStateException("jtorch: incomplete Python package at " + marker);
        return files;
    }

    private static boolean keep(String rel) {
        return !rel.isEmpty() && !rel.contains("__pycache__/") && !rel.endsWith(".pyc");
    }

    private static String hash(Map<String, byte[]> files) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                md.update(f.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                md.update((byte) 0);
                md.update(Long.toString(f.getValue().length).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                md.update((byte) 0);
                md.update(f.getValue());
            }
            return HexFormat.of().formatHex(md.digest(), 0, 10);
        } catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private static void deleteTree(Path p) {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path f : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(f);
        } catch (IOException ignored) {
            // best effort
        }
    }
}
