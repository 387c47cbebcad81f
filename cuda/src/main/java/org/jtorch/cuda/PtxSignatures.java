package org.jtorch.cuda;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parameter sizes of each kernel entry in a PTX text, so a launch with the wrong arguments fails with a
 * clear error instead of reading garbage on the device (and so tests can check the kernels without a GPU).
 */
final class PtxSignatures {
    private static final Pattern ENTRY = Pattern.compile("\\.entry\\s+(\\w+)\\s*\\(([^)]*)\\)");
    private static final Pattern PARAM = Pattern.compile("\\.param\\s+(?:\\.align\\s+\\d+\\s+)?\\.(\\w+)\\s+\\w+(?:\\[(\\d+)\\])?");

    private PtxSignatures() {}

    /** kernel name -> byte size of each parameter, in order. */
    static Map<String, int[]> parse(String ptx) {
        Map<String, int[]> m = new LinkedHashMap<>();
        Matcher e = ENTRY.matcher(ptx);
        while (e.find()) {
            List<Integer> sizes = new ArrayList<>();
            Matcher p = PARAM.matcher(e.group(2));
            while (p.find()) {
                String t = p.group(1);
                int elem = switch (t.substring(1)) { case "8" -> 1; case "16" -> 2; case "32" -> 4; case "64" -> 8; default -> -1; };
                sizes.add(p.group(2) != null ? elem * Integer.parseInt(p.group(2)) : elem);
            }
            m.put(e.group(1), sizes.stream().mapToInt(Integer::intValue).toArray());
        }
        return m;
    }

    /** Byte size a launch argument occupies (see {@link CudaRuntime#launch}). */
    static int sizeOf(Object a) {
        return switch (a) {
            case null -> 8;
            case jcuda.driver.CUdeviceptr p -> 8;
            case Integer v -> 4;
            case Double v -> 8;
            case int[] v -> 4 * v.length;
            default -> -1;
        };
    }

    /** Null when args fit the signature, else what is wrong. */
    static String mismatch(String kernel, int[] sig, Object[] args) {
        if (sig == null) return "no kernel " + kernel + " in the PTX";
        if (sig.length != args.length) return kernel + " takes " + sig.length + " arguments, got " + args.length;
        for (int i = 0; i < sig.length; i++)
            if (sig[i] != sizeOf(args[i])) return kernel + " argument " + i + " is " + sig[i] + " bytes, got " + sizeOf(args[i]);
        return null;
    }
}
