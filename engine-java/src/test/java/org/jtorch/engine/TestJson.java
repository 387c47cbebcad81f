package org.jtorch.engine;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link MiniJson} for tests in other packages: numbers become {@link Long} (or {@link BigInteger}) when
 * written as integers, {@link Double} otherwise (NaN and the infinities included).
 */
public final class TestJson {
    private TestJson() {}

    public static Object parse(String text) {
        return convert(MiniJson.parse(text));
    }

    private static Object convert(Object o) {
        if (o instanceof MiniJson.Num n) {
            String t = n.text();
            if (t.indexOf('.') >= 0 || t.indexOf('e') >= 0 || t.indexOf('E') >= 0 || t.endsWith("NaN") || t.endsWith("Infinity"))
                return n.asDouble();
            BigInteger b = new BigInteger(t);
            return b.bitLength() < 64 ? (Object) b.longValue() : b;
        }
        if (o instanceof Map<?, ?> m) {
            Map<String, Object> r = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : m.entrySet()) r.put((String) e.getKey(), convert(e.getValue()));
            return r;
        }
        if (o instanceof List<?> l) {
            List<Object> r = new ArrayList<>(l.size());
            for (Object x : l) r.add(convert(x));
            return r;
        }
        return o;
    }
}
