package org.jtorch.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * cuBLAS through Java's FFM API (JCuda's cuBLAS binding needs CUDA 12 libraries; this loads whichever
 * libcublas the machine has: 13, then 12). Only SGEMM is used: row-major products are computed as the
 * column-major product of the transposes (C^T = B^T A^T), so row-major operands need no copies.
 * The handle runs on the legacy default stream, which orders itself with jtorch's (blocking) stream.
 * Disabled with JTORCH_CUBLAS=0; {@link #get} is null when no library loads (the PTX GEMM is used).
 */
final class Cublas {
    private static final int OP_N = 0, OP_T = 1;
    private static volatile Optional<Cublas> instance;
    static volatile String status = "not loaded";

    private final MethodHandle sgemm, sgemmStridedBatched;
    private final MemorySegment handle;
    private final MemorySegment alpha, beta;
    final String library;

    private Cublas(SymbolLookup lib, String library) throws Throwable {
        this.library = library;
        Linker l = Linker.nativeLinker();
        ValueLayout I = ValueLayout.JAVA_INT, A = ValueLayout.ADDRESS, L = ValueLayout.JAVA_LONG;
        MethodHandle create = l.downcallHandle(lib.find("cublasCreate_v2").orElseThrow(), FunctionDescriptor.of(I, A));
        // cublasSgemm_v2(handle, transa, transb, m, n, k, *alpha, A, lda, B, ldb, *beta, C, ldc)
        sgemm = l.downcallHandle(lib.find("cublasSgemm_v2").orElseThrow(),
            FunctionDescriptor.of(I, A, I, I, I, I, I, A, A, I, A, I, A, A, I));
        // cublasSgemmStridedBatched(handle, transa, transb, m, n, k, *alpha, A, lda, strideA, B, ldb, strideB, *beta, C, ldc, strideC, count)
        sgemmStridedBatched = l.downcallHandle(lib.find("cublasSgemmStridedBatched").orElseThrow(),
            FunctionDescriptor.of(I, A, I, I, I, I, I, A, A, I, L, A, I, L, A, A, I, L, I));
        Arena arena = Arena.global();
        MemorySegment h = arena.allocate(ValueLayout.ADDRESS);
        int rc = (int) create.invokeExact(h);
        if (rc != 0) throw new IllegalStateException("cublasCreate_v2 returned " + rc);
        handle = h.get(ValueLayout.ADDRESS, 0);
        alpha = arena.allocate(ValueLayout.JAVA_FLOAT);
        alpha.set(ValueLayout.JAVA_FLOAT, 0, 1f);
        beta = arena.allocate(ValueLayout.JAVA_FLOAT);
        beta.set(ValueLayout.JAVA_FLOAT, 0, 0f);
    }

    /** Candidate library files, most recent first. */
    static List<String> candidates() {
        List<String> c = new ArrayList<>();
        String[] dirs = {"/usr/local/cuda/lib64", "/usr/local/cuda/targets/x86_64-linux/lib", "/usr/lib/x86_64-linux-gnu", "/usr/lib64"};
        for (String v : new String[] {"13", "12"}) {
            for (String d : dirs) if (Files.exists(Path.of(d, "libcublas.so." + v))) c.add(d + "/libcublas.so." + v);
            c.add("libcublas.so." + v); // via the loader's search path
        }
        return c;
    }

    /** The loaded library (the CUDA context must be current), or null. */
    static Cublas get() {
        Optional<Cublas> o = instance;
        if (o == null) {
            synchronized (Cublas.class) {
                if (instance == null) instance = Optional.ofNullable(load());
                o = instance;
            }
        }
        return o.orElse(null);
    }

    private static Cublas load() {
        if ("0".equals(System.getenv("JTORCH_CUBLAS"))) { status = "disabled by JTORCH_CUBLAS=0"; return null; }
        List<String> tried = new ArrayList<>();
        for (String lib : candidates()) {
            try {
                SymbolLookup look = lib.startsWith("/") ? SymbolLookup.libraryLookup(Path.of(lib), Arena.global())
                    : SymbolLookup.libraryLookup(lib, Arena.global());
                Cublas c = new Cublas(look, lib);
                status = "loaded " + lib;
                return c;
            } catch (Throwable t) {
                tried.add(lib + ": " + t.getMessage());
            }
        }
        status = "no cuBLAS (" + String.join("; ", tried) + "); using the PTX GEMM";
        return null;
    }

    /** (op, ld) to hand a row-major rows x cols operand with the given strides to column-major cuBLAS as its transpose; null if impossible. */
    static int[] layout(int rows, int cols, int sRow, int sCol) {
        if ((sCol == 1 || cols == 1) && (rows == 1 || sRow >= Math.max(1, cols))) return new int[] {OP_N, rows == 1 ? Math.max(1, cols) : sRow};
        if ((sRow == 1 || rows == 1) && (cols == 1 || sCol >= Math.max(1, rows))) return new int[] {OP_T, cols == 1 ? Math.max(1, rows) : sCol};
        return null;
    }

    /**
     * C[b] = A[b] @ B[b] for float32 row-major operands given by raw device addresses (element offsets
     * already applied) and element strides; C must be contiguous per batch. False when the layout does
     * not suit cuBLAS (the caller uses the kernel).
     */
    boolean sgemm(int bs, int m, int k, int n, long a, long aSb, int aSm, int aSk, long b, long bSb, int bSk, int bSn,
                  long c, long cSb) throws Throwable {
        int[] la = layout(m, k, aSm, aSk), lb = layout(k, n, bSk, bSn);
        if (la == null || lb == null) return false;
        MemorySegment A = MemorySegment.ofAddress(a), B = MemorySegment.ofAddress(b), C = MemorySegment.ofAddress(c);
        int ldc = Math.max(1, n);
        // column-major: C^T (n x m) = op(B^T) (n x k) * op(A^T) (k x m)
        int rc = bs == 1
            ? (int) sgemm.invokeExact(handle, lb[0], la[0], n, m, k, alpha, B, lb[1], A, la[1], beta, C, ldc)
            : (int) sgemmStridedBatched.invokeExact(handle, lb[0], la[0], n, m, k, alpha, B, lb[1], bSb, A, la[1], aSb, beta, C, ldc, cSb, bs);
        if (rc != 0) throw new IllegalStateException("cuBLAS status " + rc);
        return true;
    }
}
