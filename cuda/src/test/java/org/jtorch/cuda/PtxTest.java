package org.jtorch.cuda;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jtorch.engine.BinaryOp;
import org.jtorch.engine.UnaryOp;
import org.junit.jupiter.api.Test;

/** Checks the committed PTX without a GPU: up to date with the .cu sources, accepted by ptxas, complete, consistent with Java. */
class PtxTest {
    static final Path SRC = Path.of("src/main/cuda");
    static final Path PTX = Path.of("src/main/resources/org/jtorch/cuda/ptx");
    static final String[] ARCHS = {"sm_80", "sm_90"};
    static final String[] TYPES = {"f32", "f64", "i64", "i32", "b8"};

    /** The same hash build-ptx.sh records: for each source in name order, its name, a newline, its bytes. */
    static String sourcesHash() throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        List<Path> files = new ArrayList<>();
        try (var s = Files.list(SRC)) {
            s.filter(p -> p.toString().endsWith(".cu") || p.toString().endsWith(".cuh")).forEach(files::add);
        }
        files.sort((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()));
        for (Path f : files) {
            md.update((f.getFileName() + "\n").getBytes(StandardCharsets.UTF_8));
            md.update(Files.readAllBytes(f));
        }
        return HexFormat.of().formatHex(md.digest());
    }

    @Test void committedPtxMatchesSources() throws Exception {
        String recorded = Files.readString(PTX.resolve("SOURCES.sha256")).trim();
        assertEquals(sourcesHash(), recorded,
            "the committed PTX is older than src/main/cuda: run src/main/cuda/build-ptx.sh (needs nvcc) and commit the PTX");
        for (String arch : ARCHS)
            for (String m : CudaRuntime.MODULES) assertTrue(Files.isRegularFile(PTX.resolve(arch).resolve(m + ".ptx")), arch + "/" + m);
    }

    static String ptxas() {
        for (String p : new String[] {"/usr/local/bin/ptxas", "/usr/local/cuda/bin/ptxas"}) if (new File(p).canExecute()) return p;
        String path = System.getenv("PATH");
        if (path != null) for (String d : path.split(File.pathSeparator)) if (new File(d, "ptxas").canExecute()) return d + "/ptxas";
        return null;
    }

    @Test void ptxasAcceptsEveryModule() throws Exception {
        String ptxas = ptxas();
        assumeTrue(ptxas != null, "ptxas not found: PTX not assembled (install the CUDA toolkit to run this check)");
        for (String arch : ARCHS) {
            for (String m : CudaRuntime.MODULES) {
                Path f = PTX.resolve(arch).resolve(m + ".ptx");
                Path out = Files.createTempFile("jtorch-" + m, ".cubin");
                try {
                    Process p = new ProcessBuilder(ptxas, "-arch=" + arch, "-o", out.toString(), f.toString()).redirectErrorStream(true).start();
                    String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    assertTrue(p.waitFor(300, TimeUnit.SECONDS), "ptxas timed out on " + f);
                    assertEquals(0, p.exitValue(), "ptxas -arch=" + arch + " " + f + ":\n" + log);
                    assertTrue(Files.size(out) > 0, f.toString());
                } finally {
                    Files.deleteIfExists(out);
                }
            }
        }
    }

    /** The kernels' UOp/BOp enums must list Java's UnaryOp/BinaryOp in the same order (ordinals are passed). */
    @Test void opCodesMatchJava() throws Exception {
        String cu = Files.readString(SRC.resolve("elementwise.cu"));
        assertEquals(names(UnaryOp.values(), "U_"), enumBody(cu, "UOp"));
        assertEquals(names(BinaryOp.values(), "B_"), enumBody(cu, "BOp"));
    }

    private static List<String> names(Enum<?>[] vs, String prefix) {
        List<String> r = new ArrayList<>();
        for (Enum<?> v : vs) r.add(prefix + v.name());
        return r;
    }

    private static List<String> enumBody(String cu, String name) {
        Matcher m = Pattern.compile("enum " + name + "\\s*\\{([^}]*)\\}").matcher(cu);
        assertTrue(m.find(), name);
        List<String> r = new ArrayList<>();
        for (String s : m.group(1).split(",")) if (!s.isBlank()) r.add(s.trim());
        return r;
    }

    /** Every kernel CudaBackend launches exists with the parameter sizes its call passes. */
    @Test void kernelSignatures() throws Exception {
        for (String arch : ARCHS) {
            Map<String, int[]> sig = new java.util.HashMap<>();
            for (String m : CudaRuntime.MODULES) sig.putAll(PtxSignatures.parse(Files.readString(PTX.resolve(arch).resolve(m + ".ptx"))));
            int geo = 4 * Geo.INTS, win = 4 * 14, gemm = 4 * 16;
            for (String t : TYPES) {
                expect(sig, "fill_" + t, 8, geo, 8);
                expect(sig, "unary_" + t, 8, 8, geo, 4, 8, 8);
                expect(sig, "predicate_" + t, 8, 8, geo, 4, 8, 8);
                expect(sig, "binary_" + t, 8, 8, 8, geo, 4);
                expect(sig, "compare_" + t, 8, 8, 8, geo, 4);
                expect(sig, "where_" + t, 8, 8, 8, 8, geo);
                for (String u : TYPES) expect(sig, "copy_" + t + "_" + u, 8, 8, geo);
                expect(sig, "reduce_" + t, 8, 8, geo, geo, 4);
                expect(sig, "argreduce_" + t, 8, 8, 8, geo, 4, 4, 4);
                expect(sig, "cumulative_" + t, 8, 8, geo, 4, 4, 4, 4);
                expect(sig, "gather_" + t, 8, 8, 8, geo, 4, 4, 4, 8);
                expect(sig, "scatter_" + t, 8, 8, 8, geo, 4, 4, 4, 4, 8);
                expect(sig, "index_" + t, 8, 8, 8, geo, geo, 4, 4, 8);
            }
            for (String t : new String[] {"f32", "f64"}) {
                expect(sig, "softmax_" + t, 8, 8, geo, 4, 4, 4, 4);
                expect(sig, "unfold2d_" + t, 8, 8, win);
                expect(sig, "fold2d_" + t, 8, 8, win);
                expect(sig, "pool2d_" + t, 8, 8, 8, win, 4, 4, 4);
                expect(sig, "pool2d_backward_" + t, 8, 8, 8, win, 4, 4, 4);
                expect(sig, "adaptive_avg_pool2d_" + t, 8, 8, win, 4);
            }
            for (String t : new String[] {"f32", "f64", "i64", "i32"}) expect(sig, "gemm_" + t, 8, 8, 8, gemm);
        }
    }

    private static void expect(Map<String, int[]> sig, String kernel, int... sizes) {
        assertNotNull(sig.get(kernel), "missing kernel " + kernel);
        assertArrayEquals(sizes, sig.get(kernel), kernel);
    }

    @Test void launchArgumentsAreCheckedAgainstThePtx() {
        int[] sig = {8, 4 * Geo.INTS, 8};
        assertNull(PtxSignatures.mismatch("fill_f32", sig, new Object[] {new jcuda.driver.CUdeviceptr(), new int[Geo.INTS], 1.0}));
        assertNotNull(PtxSignatures.mismatch("fill_f32", sig, new Object[] {new jcuda.driver.CUdeviceptr(), new int[Geo.INTS], 1}));
        assertNotNull(PtxSignatures.mismatch("fill_f32", sig, new Object[] {new jcuda.driver.CUdeviceptr(), new int[Geo.INTS]}));
    }

    @Test void geometryMergesContiguousDims() {
        int[] g = Geo.of(new int[] {2, 3, 4}, new int[][] {{12, 4, 1}, {0, 4, 1}}, new int[] {5, 0});
        assertEquals(2, g[0]); // [2, 12]: the last two dims merge in both operands, the first does not (stride 0)
        assertEquals(24, g[1]);
        assertEquals(2, g[2]);
        assertEquals(12, g[3]);
        assertEquals(5, g[2 + Geo.MAXD + Geo.MAXOP * Geo.MAXD]);
        int[] one = Geo.of(new int[] {1, 1}, new int[][] {{7, 7}}, new int[] {3});
        assertEquals(0, one[0]);
        assertEquals(1, one[1]);
    }

    @Test void cublasLayouts() {
        assertArrayEquals(new int[] {0, 8}, Cublas.layout(4, 8, 8, 1));   // row-major: no transpose, ld = row stride
        assertArrayEquals(new int[] {1, 4}, Cublas.layout(4, 8, 1, 4));   // a transposed view
        assertNull(Cublas.layout(4, 8, 16, 2));                           // neither dim unit-stride: use the kernel
        assertEquals("sm_90", CudaRuntime.ptxArchFor(9, 0));
        assertEquals("sm_80", CudaRuntime.ptxArchFor(8, 6));
        assertEquals("sm_90", CudaRuntime.ptxArchFor(12, 0));
    }

    @Test void allocatorSizeClasses() {
        assertEquals(512, CudaAllocator.roundSize(1));
        assertEquals(1024, CudaAllocator.roundSize(513));
        assertEquals(1 << 20, CudaAllocator.roundSize(1 << 20));
        assertEquals(2 << 20, CudaAllocator.roundSize((1 << 20) + 1));
        assertEquals(4 << 20, CudaAllocator.roundSize((2 << 20) + 1));
    }
}
