package org.jtorch.bridge.kernel;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The Jupyter messaging protocol's wire format (v5.3): the frames of a message, HMAC-SHA256 signatures
 * and message headers.
 *
 * <pre>
 * [routing identities..., "&lt;IDS|MSG&gt;", hmac hex, header, parent_header, metadata, content, buffers...]
 * </pre>
 */
public final class Wire {
    public static final String PROTOCOL_VERSION = "5.3";
    static final byte[] DELIMITER = "<IDS|MSG>".getBytes(StandardCharsets.US_ASCII);
    private static final DateTimeFormatter DATE =
        DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    /** A message: its routing identities and its four dictionaries (plus binary buffers, passed through). */
    public record Message(List<byte[]> identities, Map<String, Object> header, Map<String, Object> parentHeader,
                          Map<String, Object> metadata, Map<String, Object> content, List<byte[]> buffers) {
        public String type() { return String.valueOf(header.get("msg_type")); }

        public String id() { return String.valueOf(header.get("msg_id")); }
    }

    private final SecretKeySpec key;  // null: messages are not signed (empty key)
    private final String session = UUID.randomUUID().toString();

    /** @param scheme the connection file's signature_scheme ("hmac-sha256"); key may be empty (no signing) */
    public Wire(String scheme, String key) {
        if (key == null || key.isEmpty()) {
            this.key = null;
        } else {
            if (scheme != null && !scheme.isEmpty() && !scheme.equals("hmac-sha256"))
                throw new IllegalArgumentException("unsupported signature_scheme " + scheme + " (jtorch signs with hmac-sha256)");
            this.key = new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
        }
    }

    /** The kernel's session id (in the header of every message it sends). */
    public String session() { return session; }

    /** The hex HMAC-SHA256 of the four dictionary frames, "" without a key. */
    public String sign(byte[]... frames) {
        if (key == null) return "";
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            for (byte[] f : frames) mac.update(f);
            return HexFormat.of().formatHex(mac.doFinal());
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A new header for a message of this type. */
    public Map<String, Object> header(String msgType) {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("msg_id", UUID.randomUUID().toString());
        h.put("session", session);
        h.put("username", "kernel");
        h.put("date", DATE.format(Instant.now()));
        h.put("msg_type", msgType);
        h.put("version", PROTOCOL_VERSION);
        return h;
    }

    /** The frames of a message: identities, delimiter, signature, header, parent header, metadata, content. */
    public List<byte[]> frames(List<byte[]> identities, Map<String, Object> header, Map<String, Object> parent,
                               Map<String, Object> metadata, Map<String, Object> content) {
        byte[] h = utf8(Json.write(header));
        byte[] p = utf8(Json.write(parent == null ? Map.of() : parent));
        byte[] m = utf8(Json.write(metadata == null ? Map.of() : metadata));
        byte[] c = utf8(Json.write(content == null ? Map.of() : content));
        List<byte[]> out = new ArrayList<>(identities.size() + 6);
        out.addAll(identities);
        out.add(DELIMITER);
        out.add(utf8(sign(h, p, m, c)));
        out.add(h);
        out.add(p);
        out.add(m);
        out.add(c);
        return out;
    }

    /** Thrown for a message that is malformed or whose signature does not match. */
    public static final class BadMessage extends Exception {
        private static final long serialVersionUID = 1L;

        BadMessage(String why) { super(why); }
    }

    /** Parses and verifies the frames of a received message. */
    public Message parse(List<byte[]> frames) throws BadMessage {
        int d = -1;
        for (int k = 0; k < frames.size(); k++) {
            if (MessageDigest.isEqual(frames.get(k), DELIMITER)) {
                d = k;
                break;
            }
        }
        if (d < 0 || frames.size() < d + 6) throw new BadMessage("not a Jupyter message (no <IDS|MSG> or too few frames)");
        byte[] sig = frames.get(d + 1), h = frames.get(d + 2), p = frames.get(d + 3), m = frames.get(d + 4), c = frames.get(d + 5);
        if (key != null) {
            byte[] expected = utf8(sign(h, p, m, c));
            if (!MessageDigest.isEqual(expected, sig)) throw new BadMessage("invalid signature");
        }
        try {
            return new Message(List.copyOf(frames.subList(0, d)), Json.parseObject(str(h)), Json.parseObject(str(p)),
                Json.parseObject(str(m)), Json.parseObject(str(c)), List.copyOf(frames.subList(d + 6, frames.size())));
        } catch (IllegalArgumentException e) {
            throw new BadMessage(e.getMessage());
        }
    }

    static byte[] utf8(String s) { return s.getBytes(StandardCharsets.UTF_8); }

    static String str(byte[] b) { return new String(b, StandardCharsets.UTF_8); }
}
