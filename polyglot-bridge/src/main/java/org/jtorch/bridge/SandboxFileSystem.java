package org.jtorch.bridge;

import java.io.IOException;
import java.net.URI;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessMode;
import java.nio.file.DirectoryStream;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.graalvm.polyglot.io.FileSystem;

/**
 * The file system a sandboxed session sees: read-only access to a few host folders (the torch package, model
 * folders), nothing else. Relative paths resolve against the first folder, which is also the working directory
 * scripts see. Denied operations throw {@link SecurityException}, which GraalPy raises as {@code PermissionError}.
 * GraalPy's own standard library (a Truffle internal resource) stays readable: {@link #create} wraps this with
 * Truffle's {@code FileSystem.allowInternalResourceAccess}.
 */
final class SandboxFileSystem implements FileSystem {
    private final FileSystem readOnly = FileSystem.newReadOnlyFileSystem(FileSystem.newDefaultFileSystem());
    private final List<Path> roots = new ArrayList<>();
    private volatile Path cwd;

    private SandboxFileSystem(List<Path> allowed) {
        for (Path r : allowed) {
            Path a = r.toAbsolutePath().normalize();
            roots.add(a);
            try {
                Path real = a.toRealPath();
                if (!real.equals(a)) roots.add(real);
            } catch (IOException notThere) {
                // only the path as given is allowed
            }
        }
        cwd = roots.get(0);
    }

    static FileSystem create(List<Path> allowed) {
        return FileSystem.allowInternalResourceAccess(new SandboxFileSystem(allowed));
    }

    private boolean under(Path a) {
        for (Path r : roots) if (a.startsWith(r)) return true;
        return false;
    }

    /** The absolute, normalized path if reading it is allowed (a symbolic link must not lead outside). */
    private Path check(Path p) {
        Path a = toAbsolutePath(p).normalize();
        if (under(a)) {
            try {
                if (under(a.toRealPath())) return a;
            } catch (IOException notThere) {
                return a;
            }
        }
        throw new SecurityException("Operation is not allowed for: " + p);
    }

    private static SecurityException readOnly(Path p) { return new SecurityException("Read-only file system: " + p); }

    @Override public Path parsePath(URI uri) { return readOnly.parsePath(uri); }

    @Override public Path parsePath(String path) { return readOnly.parsePath(path); }

    @Override public void checkAccess(Path path, Set<? extends AccessMode> modes, LinkOption... linkOptions) throws IOException {
        readOnly.checkAccess(check(path), modes, linkOptions);
    }

    @Override public void createDirectory(Path dir, FileAttribute<?>... attrs) { throw readOnly(dir); }

    @Override public void delete(Path path) { throw readOnly(path); }

    @Override public SeekableByteChannel newByteChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs) throws IOException {
        return readOnly.newByteChannel(check(path), options, attrs);
    }

    @Override public DirectoryStream<Path> newDirectoryStream(Path dir, DirectoryStream.Filter<? super Path> filter) throws IOException {
        return readOnly.newDirectoryStream(check(dir), filter);
    }

    @Override public Path toAbsolutePath(Path path) { return path.isAbsolute() ? path : cwd.resolve(path); }

    @Override public Path toRealPath(Path path, LinkOption... linkOptions) throws IOException {
        Path r = readOnly.toRealPath(check(path), linkOptions);
        if (!under(r)) throw new SecurityException("Operation is not allowed for: " + path);
        return r;
    }

    @Override public Map<String, Object> readAttributes(Path path, String attributes, LinkOption... options) throws IOException {
        return readOnly.readAttributes(check(path), attributes, options);
    }

    @Override public void setAttribute(Path path, String attribute, Object value, LinkOption... options) { throw readOnly(path); }

    @Override public void copy(Path source, Path target, java.nio.file.CopyOption... options) { throw readOnly(target); }

    @Override public void move(Path source, Path target, java.nio.file.CopyOption... options) { throw readOnly(target); }

    @Override public void createLink(Path link, Path existing) { throw readOnly(link); }

    @Override public void createSymbolicLink(Path link, Path target, FileAttribute<?>... attrs) { throw readOnly(link); }

    @Override public Path readSymbolicLink(Path link) throws IOException { return readOnly.readSymbolicLink(check(link)); }

    @Override public void setCurrentWorkingDirectory(Path dir) { cwd = check(dir); }

    @Override public Path getTempDirectory() { throw new SecurityException("no temporary directory in a sandboxed session"); }
}
