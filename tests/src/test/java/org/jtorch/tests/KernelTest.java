package org.jtorch.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jtorch.bridge.kernel.Json;
import org.jtorch.bridge.kernel.KernelSpec;
import org.jtorch.bridge.kernel.Wire;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Jupyter kernel's wire format (JSON, HMAC-SHA256 signatures) and kernelspec installation. */
class KernelTest {
    @Test void jsonRoundTrip() {
        String text = "{\"a\": [1, 2.5, -3e2, true, false, null], \"s\": \"q\\\"\\\\\\n\\t\\u00e9\\u0001/\", \"o\": {}}";
        Map<String, Object> m = Json.parseObject(text);
        assertEquals(List.of(1L, 2.5, -300.0, true, false), ((List<?>) m.get("a")).subList(0, 5));
        assertEquals("q\"\\\n\té\u0001/", m.get("s"));
        assertEquals(m, Json.parseObject(Json.write(m)));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\": 1,}"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("[1] x"));
    }

    @Test void hmacSha256() {
        // RFC-style test vector (the well-known HMAC-SHA256 of "The quick brown fox ..." with key "key")
        Wire w = new Wire("hmac-sha256", "key");
        assertEquals("f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8",
            w.sign("The quick brown fox jumps over the lazy dog".getBytes(StandardCharsets.UTF_8)));
        assertEquals("", new Wire("hmac-sha256", "").sign(new byte[] {1}));
        assertThrows(IllegalArgumentException.class, () -> new Wire("hmac-md5", "k"));
    }

    @Test void framesAreSignedAndVerified() throws Exception {
        Wire w = new Wire("hmac-sha256", "secret");
        List<byte[]> ids = List.of(new byte[] {0, 1, 2});
        Map<String, Object> header = w.header("execute_request");
        List<byte[]> frames = w.frames(ids, header, Map.of(), Map.of(), Map.of("code", "1 + 1"));
        Wire.Message m = w.parse(frames);
        assertEquals("execute_request", m.type());
        assertEquals("1 + 1", m.content().get("code"));
        assertEquals("5.3", m.header().get("version"));
        assertArrayEquals(ids.get(0), m.identities().get(0));

        List<byte[]> tampered = new ArrayList<>(frames);
        tampered.set(tampered.size() - 1, "{\"code\": \"import os\"}".getBytes(StandardCharsets.UTF_8));
        assertThrows(Wire.BadMessage.class, () -> w.parse(tampered));
        assertThrows(Wire.BadMessage.class, () -> new Wire("hmac-sha256", "other").parse(frames));
        assertThrows(Wire.BadMessage.class, () -> w.parse(List.of(new byte[] {1})));
    }

    @Test void installWritesKernelJson(@TempDir Path tmp) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int rc = KernelSpec.install(new String[] {"--prefix", tmp.toString()}, "/opt/jtorch/scripts/jtorch",
            new PrintStream(out, true), new PrintStream(err, true));
        assertEquals(0, rc, err.toString());
        Path spec = tmp.resolve("share/jupyter/kernels/jtorch/kernel.json");
        Map<String, Object> k = Json.parseObject(Files.readString(spec));
        assertEquals(List.of("/opt/jtorch/scripts/jtorch", "kernel", "-f", "{connection_file}"), k.get("argv"));
        assertEquals("jtorch (PyTorch on the JVM)", k.get("display_name"));
        assertEquals("python", k.get("language"));
        assertTrue(out.toString().contains("Installed kernelspec jtorch in " + spec.getParent()));

        assertEquals(2, KernelSpec.install(new String[] {"--prefix"}, "/x", new PrintStream(out), new PrintStream(err)));
        assertEquals(2, KernelSpec.install(new String[] {"--name", "bad name"}, "/x", new PrintStream(out), new PrintStream(err)));
        assertEquals(2, KernelSpec.install(new String[] {"--user"}, "relative/jtorch", new PrintStream(out), new PrintStream(err)));
    }
}
