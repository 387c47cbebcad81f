package org.jtorch.engine.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;

import org.jtorch.engine.DType;
import org.jtorch.engine.Storage;
import org.jtorch.engine.Tensor;
import org.jtorch.engine.TestJson;
import org.jtorch.engine.TorchException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PtFile against checkpoints written by real PyTorch 1.13 (tests/serialization/data, described in its
 * expected.json by make_reference_files.py), round trips, refusals of malicious, legacy, complex and damaged
 * files, and the files that tests/serialization/check_java_written.py loads in real PyTorch.
 */
class PtFileTest {
    static final Path DATA = Path.of("..", "tests", "serialization", "data");

    @TempDir Path tmp;

    @SuppressWarnings("unchecked")
    static Map<String, Object> expected() throws IOException {
        return (Map<String, Object>) TestJson.parse(Files.readString(DATA.resolve("expected.json")));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> expected(String file) throws IOException {
        return (Map<String, Object>) expected().get(file);
    }

    // ================================================================== files written by PyTorch

    @Test
    void readsPyTorchStateDict() throws IOException {
        Map<String, Tensor> sd = PtFile.readStateDict(DATA.resolve("state_dict.pt"));
        checkFlatDict(sd, expected("state_dict.pt"));
        assertEquals(List.of("0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var",
                "1.num_batches_tracked", "4.weight", "4.bias", "5.weight", "5.bias", "5.running_mean", "5.running_var",
                "5.num_batches_tracked"), new ArrayList<>(sd.keySet()));
        Tensor nbt = sd.get("1.num_batches_tracked");
        assertEquals(DType.INT64, nbt.dtype);
        assertEquals(0, nbt.dim());
        assertEquals(3, nbt.itemLong());
        // the same file read from a stream
        try (InputStream in = Files.newInputStream(DATA.resolve("state_dict.pt"))) {
            checkFlatDict(PtFile.readStateDict(in), expected("state_dict.pt"));
        }
    }

    @Test
    void readsViewsSharingOneStorage() throws IOException {
        Map<String, Tensor> sd = PtFile.readStateDict(DATA.resolve("views.pt"));
        checkFlatDict(sd, expected("views.pt"));
        Storage base = sd.get("base").storage;
        for (Tensor t : sd.values()) assertSame(base, t.storage, "all views share one storage");
        assertEquals(24, base.size());
        Tensor scalar = sd.get("scalar_view");
        assertEquals(0, scalar.dim());
        assertEquals(5, scalar.offset);
        assertEquals(5.0, scalar.item());

        Map<String, Tensor> alone = PtFile.readStateDict(DATA.resolve("view_alone.pt"));
        checkFlatDict(alone, expected("view_alone.pt"));
        assertEquals(10, alone.get("v").storage.size(), "the whole storage is in the file");
    }

    @Test
    void readsEveryDtype() throws IOException {
        Map<String, Tensor> sd = PtFile.readStateDict(DATA.resolve("dtypes.pt"));
        checkFlatDict(sd, expected("dtypes.pt"));
        assertEquals(DType.FLOAT32, sd.get("float16").dtype);
        assertEquals(DType.FLOAT32, sd.get("bfloat16").dtype);
        assertEquals(DType.INT32, sd.get("uint8").dtype);
        assertEquals(DType.INT32, sd.get("int8").dtype);
        assertEquals(DType.INT32, sd.get("int16").dtype);
        assertEquals(DType.BOOL, sd.get("bool").dtype);
        assertArrayEquals(new int[] {0, 3}, sd.get("empty").shape());

        Map<String, Tensor> nan = PtFile.readStateDict(DATA.resolve("nan.pt"));
        assertTrue(Double.isNaN(nan.get("f").storage.getD(0)));
        assertEquals(1.0, nan.get("f").storage.getD(1));
        assertEquals(DType.FLOAT64, nan.get("d").dtype);
        assertTrue(Double.isNaN(nan.get("d").storage.getD(0)));
    }

    @Test
    @SuppressWarnings("unchecked")
    void readsNewerLayoutBigEndianAndCudaTagged() throws IOException {
        for (String f : List.of("v2_style.pt", "big_endian.pt", "cuda_tagged.pt")) {
            Map<String, Tensor> sd = PtFile.readStateDict(DATA.resolve(f));
            Map<String, Object> exp = expected(f);
            assertEquals(exp.keySet(), sd.keySet(), f);
            for (String k : exp.keySet()) assertValues((List<Object>) exp.get(k), sd.get(k), f + ":" + k);
        }
        Map<String, Tensor> v2 = PtFile.readStateDict(DATA.resolve("v2_style.pt"));
        assertEquals(DType.INT32, v2.get("u16").dtype, "uint16 (via _rebuild_tensor_v3) loads as int32");
        assertEquals(65535, v2.get("u16").storage.getL(2));
        assertEquals(DType.BOOL, v2.get("b").dtype);
    }

    @Test
    @SuppressWarnings("unchecked")
    void loadsGeneralCheckpoints() throws IOException {
        Object nested = PtFile.load(DATA.resolve("nested.pt"));
        checkTree(nested, expected("nested.pt"), "nested.pt");
        Map<Object, Object> m = (Map<Object, Object>) nested;
        List<Object> list = (List<Object>) m.get("list");
        assertSame(((Tensor) list.get(0)).storage, ((Tensor) list.get(1)).storage, "shared storage in a list");
        assertEquals(new BigInteger("1180591620717411303424"), ((Map<?, ?>) m.get("numbers")).get("big"));
        assertEquals("int key", m.get(1L));

        Map<String, Object> opt = expected("optimizer.pt");
        Object o = PtFile.load(DATA.resolve("optimizer.pt"));
        checkTree(o, Map.of("dict", opt.get("dict"), "ordered", opt.get("ordered")), "optimizer.pt");
        // the model part of that checkpoint is a state dict in its own right
        Map<?, ?> model = (Map<?, ?>) ((Map<?, ?>) o).get("model");
        assertEquals(Set.of("0.weight", "0.bias", "2.weight", "2.bias"), model.keySet());

        TorchException e = assertThrows(TorchException.class, () -> PtFile.readStateDict(DATA.resolve("nested.pt")));
        assertTrue(e.getMessage().contains("not a flat state dict") && e.getMessage().contains("'list'"), e.getMessage());
        e = assertThrows(TorchException.class, () -> PtFile.readStateDict(DATA.resolve("optimizer.pt")));
        assertTrue(e.getMessage().contains("PtFile.load"), e.getMessage());
    }

    /**
     * The data.pkl that PyTorch 1.13 writes for
     * {@code torch.save(OrderedDict(w=torch.tensor([1.5, -2.0, 3.25]), n=torch.tensor(7)), buf, pickle_protocol=4)}
     * (FRAME, SHORT_BINUNICODE, MEMOIZE, STACK_GLOBAL); protocol 5 differs only in its PROTO byte.
     */
    static final String PROTOCOL4_PKL = "800495cb000000000000008c0b636f6c6c656374696f6e73948c0b4f726465726564446963749493942952"
            + "94288c0177948c0c746f7263682e5f7574696c73948c125f72656275696c645f74656e736f725f763294939428288c0773746f72616765"
            + "948c05746f726368948c0c466c6f617453746f726167659493948c0130948c03637075944b037494514b004b0385944b01859489680229"
            + "5294749452948c016e9468072828680868098c0b4c6f6e6753746f726167659493948c013194680d4b017494514b00292989680229529474"
            + "945294752e";

    @Test
    void readsPickleProtocols4And5() throws IOException {
        byte[] f32 = new byte[12];
        java.nio.ByteBuffer.wrap(f32).order(java.nio.ByteOrder.LITTLE_ENDIAN).putFloat(1.5f).putFloat(-2f).putFloat(3.25f);
        byte[] i64 = new byte[8];
        i64[0] = 7;
        for (int proto : new int[] {4, 5}) {
            byte[] pkl = java.util.HexFormat.of().parseHex(PROTOCOL4_PKL);
            pkl[1] = (byte) proto;
            byte[] file = archive("archive", pkl, Map.of("0", f32, "1", i64));
            Map<String, Tensor> sd = PtFile.readStateDict(new ByteArrayInputStream(file));
            assertEquals(List.of("w", "n"), new ArrayList<>(sd.keySet()));
            assertEquals(List.of(1.5, -2.0, 3.25), values(sd.get("w")));
            assertEquals(DType.INT64, sd.get("n").dtype);
            assertEquals(0, sd.get("n").dim());
            assertEquals(7L, sd.get("n").itemLong());
        }
    }

    // ================================================================== refusals

    @Test
    void refusesMaliciousPickle() {
        TorchException e = assertThrows(TorchException.class, () -> PtFile.readStateDict(DATA.resolve("malicious.pt")));
        assertTrue(e.getMessage().contains("'os.system'") && e.getMessage().contains("not allowed"), e.getMessage());
        assertEquals("RuntimeError", e.pyType());
        assertThrows(TorchException.class, () -> PtFile.load(DATA.resolve("malicious.pt")));
    }

    @Test
    void refusesPickledModulesLegacyAndComplex() {
        TorchException e = assertThrows(TorchException.class, () -> PtFile.load(DATA.resolve("whole_module.pt")));
        assertTrue(e.getMessage().contains("torch.nn.modules.container.Sequential"), e.getMessage());
        e = assertThrows(TorchException.class, () -> PtFile.load(DATA.resolve("legacy.pt")));
        assertTrue(e.getMessage().contains("legacy"), e.getMessage());
        e = assertThrows(TorchException.class, () -> PtFile.load(DATA.resolve("complex.pt")));
        assertTrue(e.getMessage().contains("ComplexFloatStorage") && e.getMessage().contains("no matching dtype"), e.getMessage());
    }

    @Test
    void refusesDangerousOpcodesAndGlobals() throws IOException {
        // INST, OBJ, NEWOBJ of a non-container, EXT1, and a few globals that would run code in Python
        List<byte[]> pickles = List.of(
                pickle("(S'ls'\nios\nsystem\n."),
                pickle("(cos\nsystem\nS'ls'\no."),
                pickle("\u0080\u0002cbuiltins\neval\nX\u0002\u0000\u0000\u00001+\u0085R."),
                pickle("\u0080\u0002cbuiltins\ngetattr\n."),
                pickle("\u0080\u0002ctorch\nload\n."),
                pickle("\u0080\u0002ctorch._utils\n_rebuild_qtensor\n."),
                pickle("\u0080\u0002\u0082\u0001."));
        for (byte[] p : pickles) {
            byte[] file = archive("x", p, Map.of());
            TorchException e = assertThrows(TorchException.class, () -> PtFile.load(new ByteArrayInputStream(file)));
            assertTrue(e.getMessage().startsWith("refusing to load"), e.getMessage());
        }
    }

    @Test
    void truncatedOrDamagedFilesRaiseTorchException() throws IOException {
        byte[] good = Files.readAllBytes(DATA.resolve("state_dict.pt"));
        for (int cut : new int[] {0, 1, 3, 4, 10, 100, good.length / 3, good.length / 2, good.length - 100, good.length - 22, good.length - 1}) {
            byte[] part = Arrays.copyOf(good, cut);
            Path p = tmp.resolve("cut" + cut + ".pt");
            Files.write(p, part);
            TorchException e = assertThrows(TorchException.class, () -> PtFile.readStateDict(p), "cut at " + cut);
            assertFalse(e.getMessage().isEmpty());
            assertThrows(TorchException.class, () -> PtFile.readStateDict(new ByteArrayInputStream(part)), "stream cut at " + cut);
        }
        // one flipped byte inside a storage: the CRC-32 catches it
        byte[] bad = good.clone();
        int at = indexOf(bad, "state_dict/data/0".getBytes(StandardCharsets.US_ASCII));
        at = (at + 17 + 4 + 63) / 64 * 64 + 1; // inside the first storage's 64-byte aligned data
        bad[at] ^= 0x40;
        TorchException e = assertThrows(TorchException.class, () -> PtFile.readStateDict(new ByteArrayInputStream(bad)));
        assertTrue(e.getMessage().contains("CRC"), e.getMessage());
        // not a zip at all
        assertThrows(TorchException.class, () -> PtFile.readStateDict(new ByteArrayInputStream("hello world, no zip".getBytes())));
        // a zip without data.pkl
        byte[] noPkl = zipOf(Map.of("x/version", "3\n".getBytes()));
        e = assertThrows(TorchException.class, () -> PtFile.readStateDict(new ByteArrayInputStream(noPkl)));
        assertTrue(e.getMessage().contains("data.pkl"), e.getMessage());
        // a compressed archive (PyTorch never writes one; refused rather than inflated)
        ByteArrayOutputStream deflated = new ByteArrayOutputStream();
        try (ZipFile src = new ZipFile(DATA.resolve("state_dict.pt").toFile());
             java.util.zip.ZipOutputStream zo = new java.util.zip.ZipOutputStream(deflated)) {
            for (ZipEntry ze : src.stream().toList()) {
                zo.putNextEntry(new ZipEntry(ze.getName()));
                zo.write(src.getInputStream(ze).readAllBytes());
                zo.closeEntry();
            }
        }
        e = assertThrows(TorchException.class, () -> PtFile.readStateDict(new ByteArrayInputStream(deflated.toByteArray())));
        assertTrue(e.getMessage().contains("compressed"), e.getMessage());
        // a persistent id that is a list containing a tuple containing that list: a clear error, no stack overflow
        byte[] cyclic = archive("x", pickle("\u0080\u0002]q\u0000h\u0000\u0085aQ."), Map.of());
        e = assertThrows(TorchException.class, () -> PtFile.load(new ByteArrayInputStream(cyclic)));
        assertTrue(e.getMessage().contains("unknown persistent id"), e.getMessage());
        // a pickle that names a storage record that is missing or too short
        Map<String, Tensor> one = Map.of("w", Tensor.of(new float[] {1, 2, 3}, 3));
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        PtFile.writeStateDict(one, bo);
        byte[] pkl;
        try (ZipInputStream z = new ZipInputStream(new ByteArrayInputStream(bo.toByteArray()))) {
            ZipEntry ze;
            byte[] found = null;
            while ((ze = z.getNextEntry()) != null) if (ze.getName().endsWith("data.pkl")) found = z.readAllBytes();
            pkl = found;
        }
        byte[] missing = archive("archive", pkl, Map.of());
        e = assertThrows(TorchException.class, () -> PtFile.readStateDict(new ByteArrayInputStream(missing)));
        assertTrue(e.getMessage().contains("data/0 is missing"), e.getMessage());
        byte[] shortRec = archive("archive", pkl, Map.of("0", new byte[8]));
        e = assertThrows(TorchException.class, () -> PtFile.readStateDict(new ByteArrayInputStream(shortRec)));
        assertTrue(e.getMessage().contains("has 8 bytes"), e.getMessage());
    }

    @Test
    void fuzzedPicklesNeverEscapeAsOtherExceptions() throws IOException {
        byte[] pkl = Files.readAllBytes(DATA.resolve("state_dict.pt"));
        byte[] realPkl;
        try (ZipFile z = new ZipFile(DATA.resolve("state_dict.pt").toFile())) {
            realPkl = z.getInputStream(z.getEntry("state_dict/data.pkl")).readAllBytes();
        }
        Map<String, byte[]> records = new LinkedHashMap<>();
        try (ZipFile z = new ZipFile(DATA.resolve("state_dict.pt").toFile())) {
            for (var en = z.entries(); en.hasMoreElements();) {
                ZipEntry ze = en.nextElement();
                if (ze.getName().startsWith("state_dict/data/")) records.put(ze.getName().substring(16), z.getInputStream(ze).readAllBytes());
            }
        }
        Random rnd = new Random(42);
        int ok = 0, refused = 0;
        for (int i = 0; i < 2000; i++) {
            byte[] p = realPkl.clone();
            int flips = 1 + rnd.nextInt(4);
            for (int k = 0; k < flips; k++) p[rnd.nextInt(p.length)] = (byte) rnd.nextInt(256);
            if (rnd.nextInt(5) == 0) p = Arrays.copyOf(p, rnd.nextInt(p.length));
            byte[] file = archive("state_dict", p, records);
            try {
                PtFile.load(new ByteArrayInputStream(file));
                ok++;
            } catch (TorchException e) {
                refused++;
            }
        }
        assertEquals(2000, ok + refused);
        assertTrue(refused > 1000, "most damaged pickles are refused: " + refused);
        assertTrue(pkl.length > 0);
    }

    // ================================================================== writing and round trips

    /** Tensors of every engine dtype, views sharing storages, a scalar, an empty and an expanded tensor. */
    static Map<String, Tensor> sample() {
        Map<String, Tensor> sd = new LinkedHashMap<>();
        float[] f = new float[24];
        for (int i = 0; i < f.length; i++) f[i] = (float) Math.sin(i * 1.3) * 0.5f;
        f[0] = Float.NaN;
        f[1] = Float.NEGATIVE_INFINITY;
        f[2] = -0.0f;
        f[3] = Float.MIN_VALUE;
        Tensor base = Tensor.of(f, 24);
        sd.put("base", base);
        sd.put("matrix", base.view(4, 6));
        sd.put("transposed", base.view(4, 6).t());
        sd.put("slice", base.slice(0, 3, 9, 1));
        sd.put("column", base.view(4, 6).select(1, 2));
        sd.put("scalar_view", base.select(0, 5));
        sd.put("float64", Tensor.of(new double[] {Math.PI, -1e300, Double.MIN_VALUE, Double.POSITIVE_INFINITY, Double.NaN}, 5));
        sd.put("int64", Tensor.of(new long[] {0, -1, Long.MAX_VALUE, Long.MIN_VALUE, 1L << 40, 70000}, 2, 3));
        sd.put("int32", Tensor.wrap(new int[] {0, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, 300}, 5));
        sd.put("bool", Tensor.wrap(new boolean[] {true, false, true, true, false, false}, 3, 2));
        sd.put("scalar", Tensor.scalar(DType.FLOAT32, 2.75));
        sd.put("empty", Tensor.zeros(DType.FLOAT32, 0, 3));
        sd.put("expanded", Tensor.of(new float[] {1, 2, 3}, 3).unsqueeze(0).expand(4, 3));
        sd.put("ünï cödé.key", Tensor.of(new long[] {7}, 1));
        return sd;
    }

    @Test
    void roundTripThroughPathAndStream() throws IOException {
        Map<String, Tensor> sd = sample();
        Path p = tmp.resolve("model.pt");
        PtFile.writeStateDict(sd, p);
        Map<String, Tensor> back = PtFile.readStateDict(p);
        assertSameDict(sd, back);
        assertSame(back.get("base").storage, back.get("transposed").storage);
        assertSame(back.get("base").storage, back.get("scalar_view").storage);
        assertNotSame(back.get("base").storage, back.get("float64").storage);
        assertEquals(Map.of(), leftovers(tmp, "model.pt"));

        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        PtFile.writeStateDict(sd, bo);
        assertSameDict(sd, PtFile.readStateDict(new ByteArrayInputStream(bo.toByteArray())));

        // the layout: folder named after the file, stored entries, 64-byte aligned data, readable by java.util.zip
        try (ZipFile z = new ZipFile(p.toFile())) {
            List<String> names = z.stream().map(ZipEntry::getName).toList();
            assertEquals("model/data.pkl", names.get(0));
            assertTrue(names.contains("model/byteorder"));
            assertTrue(names.contains("model/version"));
            assertEquals("model/version", names.get(names.size() - 1));
            for (ZipEntry e : z.stream().toList()) {
                assertEquals(ZipEntry.STORED, e.getMethod());
                z.getInputStream(e).readAllBytes(); // checks the CRC
            }
        }
        byte[] bytes = Files.readAllBytes(p);
        checkAlignment(bytes);
        try (ZipInputStream zin = new ZipInputStream(new ByteArrayInputStream(bo.toByteArray()))) {
            assertEquals("archive/data.pkl", zin.getNextEntry().getName(), "a stream gets the folder name 'archive'");
        }
    }

    @Test
    void roundTripsPyTorchFilesAndLargeDicts() throws IOException {
        for (String f : List.of("state_dict.pt", "views.pt", "dtypes.pt", "v2_style.pt", "big_endian.pt")) {
            Map<String, Tensor> sd = PtFile.readStateDict(DATA.resolve(f));
            Path p = tmp.resolve(f);
            PtFile.writeStateDict(sd, p);
            assertSameDict(sd, PtFile.readStateDict(p));
        }
        // more than one SETITEMS batch, and a storage larger than the 1 MiB conversion chunk
        Map<String, Tensor> many = new LinkedHashMap<>();
        for (int i = 0; i < 2345; i++) many.put("layer" + i + ".weight", Tensor.of(new long[] {i, -i}, 2));
        double[] big = new double[300_001];
        for (int i = 0; i < big.length; i++) big[i] = i * 0.25 - 7;
        many.put("big", Tensor.of(big, big.length).slice(0, 1, big.length, 3));
        Path p = tmp.resolve("many.pt");
        PtFile.writeStateDict(many, p);
        Map<String, Tensor> back = PtFile.readStateDict(p);
        assertSameDict(many, back);
        assertEquals(big.length, back.get("big").storage.size());
    }

    @Test
    void writingIsAtomic() throws IOException {
        Path p = tmp.resolve("keep.pt");
        PtFile.writeStateDict(Map.of("a", Tensor.of(new float[] {1}, 1)), p);
        byte[] before = Files.readAllBytes(p);
        Map<String, Tensor> bad = new LinkedHashMap<>();
        bad.put("ok", Tensor.of(new float[] {2}, 1));
        bad.put("null", null);
        assertThrows(TorchException.class, () -> PtFile.writeStateDict(bad, p));
        Map<String, Tensor> outside = Map.of("v", new Tensor(Storage.wrap(new float[4]), new int[] {3}, new int[] {2}, 0));
        TorchException e = assertThrows(TorchException.class, () -> PtFile.writeStateDict(outside, p));
        assertTrue(e.getMessage().contains("does not fit"), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(p), "a failed save leaves the old file");
        assertEquals(Map.of(), leftovers(tmp, "keep.pt"));
        assertThrows(NoSuchFileException.class, () -> PtFile.writeStateDict(Map.of(), tmp.resolve("no/such/dir.pt")));
        // an empty state dict is fine too
        PtFile.writeStateDict(Map.of(), p);
        assertEquals(Map.of(), PtFile.readStateDict(p));
        assertEquals("archive", PtFile.archiveName(".pt"));
        assertEquals("model.v1", PtFile.archiveName("model.v1.pt"));
        assertEquals("archive", PtFile.archiveName("mödel.pt"));
    }

    /**
     * Writes the files that tests/serialization/check_java_written.py loads with real PyTorch, into the folder
     * given by the system property jtorch.io.outDir (default target/java-written-pt), with expected.json.
     */
    @Test
    void writesFilesForPyTorch() throws IOException {
        Path out = Path.of(System.getProperty("jtorch.io.outDir", "target/java-written-pt"));
        Files.createDirectories(out);
        StringBuilder json = new StringBuilder("{\n");
        // 1. every dtype and views
        Map<String, Tensor> sample = sample();
        PtFile.writeStateDict(sample, out.resolve("sample.pt"));
        json.append(" \"sample.pt\": ").append(describe("sample", sample,
                List.of(List.of("base", "matrix", "transposed", "slice", "column", "scalar_view")), null)).append(",\n");
        // 2. a state dict for nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3)), with the output it gives in eval mode
        Map<String, Tensor> module = new LinkedHashMap<>();
        float[] w = {0.5f, -1.25f, 0.75f, 0.1f, -0.3f, 2f}, bias = {0.1f, -0.2f, 0.3f};
        float[] gamma = {1.5f, 0.5f, -1f}, beta = {0f, 0.25f, -0.5f}, mean = {0.2f, -0.1f, 0.05f}, var = {1.2f, 0.8f, 2.5f};
        module.put("0.weight", Tensor.of(w, 3, 2));
        module.put("0.bias", Tensor.of(bias, 3));
        module.put("1.weight", Tensor.of(gamma, 3));
        module.put("1.bias", Tensor.of(beta, 3));
        module.put("1.running_mean", Tensor.of(mean, 3));
        module.put("1.running_var", Tensor.of(var, 3));
        module.put("1.num_batches_tracked", Tensor.scalarLong(DType.INT64, 12));
        float[][] x = {{1f, -2f}, {0.5f, 3f}};
        StringBuilder y = new StringBuilder("[");
        for (int n = 0; n < 2; n++) {
            for (int j = 0; j < 3; j++) {
                double lin = (double) w[2 * j] * x[n][0] + (double) w[2 * j + 1] * x[n][1] + bias[j];
                double bn = (lin - mean[j]) / Math.sqrt(var[j] + 1e-5) * gamma[j] + beta[j];
                y.append(n + j > 0 ? ", " : "").append(bn);
            }
        }
        y.append("]");
        PtFile.writeStateDict(module, out.resolve("linear_bn.pt"));
        json.append(" \"linear_bn.pt\": ").append(describe("linear_bn", module, List.of(),
                "{\"input\": [[1.0, -2.0], [0.5, 3.0]], \"output\": " + y + "}")).append(",\n");
        // 3. through a stream: the folder is "archive"; 2345 keys (three SETITEMS batches) and a 1.2 MB storage
        Map<String, Tensor> many = new LinkedHashMap<>();
        Tensor shared = Tensor.of(new long[] {5, 6, 7, 8}, 4);
        for (int i = 0; i < 2345; i++) many.put("k" + i, i % 2 == 0 ? shared.slice(0, i % 4, 4, 1) : Tensor.of(new long[] {i}, 1));
        float[] big = new float[300_000];
        for (int i = 0; i < big.length; i++) big[i] = i / 64f;
        many.put("big", Tensor.of(big, 500, 600).t());
        try (var os = Files.newOutputStream(out.resolve("stream.pt"))) {
            PtFile.writeStateDict(many, os);
        }
        List<String> evens = new ArrayList<>();
        for (int i = 0; i < 2345; i += 2) evens.add("k" + i);
        Map<String, Tensor> manyHead = new LinkedHashMap<>();
        for (String k : List.of("k0", "k1", "k2", "k3", "k2344")) manyHead.put(k, many.get(k));
        json.append(" \"stream.pt\": ").append(describe("archive", manyHead, List.of(evens),
                "{\"num_keys\": " + many.size() + ", \"big_shape\": [600, 500], \"big_stride\": [1, 600], \"big_sum\": "
                        + sum(big) + "}")).append("\n}\n");
        Files.writeString(out.resolve("expected.json"), json);
        // they read back here too
        assertSameDict(sample, PtFile.readStateDict(out.resolve("sample.pt")));
        assertSameDict(module, PtFile.readStateDict(out.resolve("linear_bn.pt")));
        assertSameDict(many, PtFile.readStateDict(out.resolve("stream.pt")));
    }

    // ================================================================== helpers: checks

    @SuppressWarnings("unchecked")
    static void checkFlatDict(Map<String, Tensor> sd, Map<String, Object> desc) {
        List<List<Object>> items = (List<List<Object>>) desc.get("dict");
        List<String> keys = new ArrayList<>();
        for (List<Object> kv : items) keys.add((String) kv.get(0));
        assertEquals(keys, new ArrayList<>(sd.keySet()));
        for (List<Object> kv : items) {
            Map<String, Object> t = (Map<String, Object>) ((Map<String, Object>) kv.get(1)).get("tensor");
            checkTensor(sd.get((String) kv.get(0)), t, (String) kv.get(0));
        }
    }

    @SuppressWarnings("unchecked")
    static void checkTensor(Tensor t, Map<String, Object> d, String where) {
        assertEquals(d.get("dtype"), t.dtype.pyName, where + " dtype");
        assertEquals(d.get("shape"), longs(t.shape()), where + " shape");
        assertEquals(d.get("stride"), longs(t.strides()), where + " stride");
        assertEquals(((Long) d.get("offset")).intValue(), t.offset, where + " offset");
        assertValues((List<Object>) d.get("values"), t, where);
    }

    static void assertValues(List<Object> expected, Tensor t, String where) {
        List<Object> got = values(t);
        assertEquals(expected.size(), got.size(), where + " numel");
        for (int i = 0; i < got.size(); i++) {
            Object e = expected.get(i), g = got.get(i);
            if (e instanceof Double d) {
                assertEquals(Double.doubleToLongBits(d), Double.doubleToLongBits((Double) g), where + "[" + i + "]: " + d + " vs " + g);
            } else if (e instanceof BigInteger b) {
                fail(where + ": value " + b + " beyond int64");
            } else if (e instanceof Long l && g instanceof Double gd) {
                assertEquals((double) l, gd, where + "[" + i + "]");
            } else {
                assertEquals(e, g, where + "[" + i + "]");
            }
        }
    }

    /** The elements in row-major order: Double (floating), Long (integer) or Boolean. */
    static List<Object> values(Tensor t) {
        List<Object> out = new ArrayList<>();
        int[] shape = t.shape(), strides = t.strides();
        int n = t.numel();
        int[] idx = new int[shape.length];
        for (int k = 0; k < n; k++) {
            int off = t.offset;
            for (int d = 0; d < shape.length; d++) off += idx[d] * strides[d];
            out.add(t.dtype.isFloating() ? (Object) t.storage.getD(off) : t.dtype.isBool() ? (Object) (t.storage.getL(off) != 0) : (Object) t.storage.getL(off));
            for (int d = shape.length - 1; d >= 0; d--) {
                if (++idx[d] < shape[d]) break;
                idx[d] = 0;
            }
        }
        return out;
    }

    static List<Long> longs(int[] a) {
        List<Long> l = new ArrayList<>();
        for (int v : a) l.add((long) v);
        return l;
    }

    @SuppressWarnings("unchecked")
    static void checkTree(Object o, Map<String, Object> d, String where) {
        if (d.containsKey("tensor")) {
            checkTensor(assertInstanceOf(Tensor.class, o, where), (Map<String, Object>) d.get("tensor"), where);
        } else if (d.containsKey("dict")) {
            Map<Object, Object> m = assertInstanceOf(Map.class, o, where);
            List<List<Object>> items = (List<List<Object>>) d.get("dict");
            List<Object> keys = new ArrayList<>();
            for (List<Object> kv : items) keys.add(kv.get(0) instanceof Map<?, ?> ik ? ik.get("int") : kv.get(0));
            assertEquals(keys, new ArrayList<>(m.keySet()), where + " keys");
            for (int i = 0; i < items.size(); i++)
                checkTree(m.get(keys.get(i)), (Map<String, Object>) items.get(i).get(1), where + "." + keys.get(i));
        } else if (d.containsKey("list") || d.containsKey("tuple")) {
            List<Object> exp = (List<Object>) d.getOrDefault("list", d.get("tuple"));
            List<Object> l = assertInstanceOf(List.class, o, where);
            if (d.containsKey("list")) assertInstanceOf(ArrayList.class, o, where + " is a list");
            assertEquals(exp.size(), l.size(), where + " length");
            for (int i = 0; i < exp.size(); i++) checkTree(l.get(i), (Map<String, Object>) exp.get(i), where + "[" + i + "]");
        } else if (d.containsKey("size")) {
            assertEquals(d.get("size"), o, where);
        } else if (d.containsKey("bytes")) {
            List<Object> exp = (List<Object>) d.get("bytes");
            byte[] b = assertInstanceOf(byte[].class, o, where);
            assertEquals(exp.size(), b.length);
            for (int i = 0; i < b.length; i++) assertEquals(((Long) exp.get(i)).intValue(), b[i] & 0xFF);
        } else if (d.containsKey("torch_dtype")) {
            assertEquals(d.get("torch_dtype"), String.valueOf(o), where);
        } else if (d.containsKey("value")) {
            assertEquals(d.get("value"), o, where);
        } else {
            fail("unknown description at " + where + ": " + d.keySet());
        }
    }

    static void assertSameDict(Map<String, Tensor> a, Map<String, Tensor> b) {
        assertEquals(new ArrayList<>(a.keySet()), new ArrayList<>(b.keySet()));
        for (String k : a.keySet()) {
            Tensor x = a.get(k), y = b.get(k);
            assertEquals(x.dtype, y.dtype, k);
            assertArrayEquals(x.shape(), y.shape(), k);
            assertArrayEquals(x.strides(), y.strides(), k);
            assertEquals(x.offset, y.offset, k);
            assertEquals(x.storage.size(), y.storage.size(), k);
            for (int i = 0; i < x.storage.size(); i++) {
                if (x.dtype.isFloating())
                    assertEquals(Double.doubleToLongBits(x.storage.getD(i)), Double.doubleToLongBits(y.storage.getD(i)), k + "[" + i + "]");
                else
                    assertEquals(x.storage.getL(i), y.storage.getL(i), k + "[" + i + "]");
            }
        }
        // storage sharing is the same on both sides
        for (String k1 : a.keySet())
            for (String k2 : a.keySet())
                assertEquals(a.get(k1).storage == a.get(k2).storage, b.get(k1).storage == b.get(k2).storage, k1 + " / " + k2);
    }

    /** Every local file header's data starts at a multiple of 64. */
    static void checkAlignment(byte[] f) {
        int count = 0;
        for (int i = 0; i + 30 <= f.length; i++) {
            if (f[i] == 'P' && f[i + 1] == 'K' && f[i + 2] == 3 && f[i + 3] == 4) {
                int n = ZipReader.le16(f, i + 26), x = ZipReader.le16(f, i + 28);
                long size = ZipReader.le32u(f, i + 18);
                int data = i + 30 + n + x;
                assertEquals(0, data % 64, "entry at " + i + " data at " + data);
                count++;
                i = (int) (data + size - 1);
            }
        }
        assertTrue(count >= 3);
    }

    static Map<String, Long> leftovers(Path dir, String keep) throws IOException {
        Map<String, Long> m = new LinkedHashMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(p -> p.getFileName().toString().endsWith(".tmp")).forEach(p -> m.put(p.getFileName().toString(), 0L));
        }
        return m;
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return i;
        }
        throw new AssertionError("not found");
    }

    // ================================================================== helpers: building files

    static byte[] pickle(String latin1) {
        return latin1.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** An archive folder/data.pkl + folder/data/KEY for each record + folder/version. */
    static byte[] archive(String folder, byte[] pkl, Map<String, byte[]> records) throws IOException {
        Map<String, byte[]> all = new LinkedHashMap<>();
        all.put(folder + "/data.pkl", pkl);
        for (Map.Entry<String, byte[]> e : records.entrySet()) all.put(folder + "/data/" + e.getKey(), e.getValue());
        all.put(folder + "/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        return zipOf(all);
    }

    static byte[] zipOf(Map<String, byte[]> entries) throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        ZipWriter z = new ZipWriter(bo);
        for (Map.Entry<String, byte[]> e : entries.entrySet()) z.add(e.getKey(), e.getValue());
        z.finish();
        return bo.toByteArray();
    }

    // ================================================================== helpers: expected.json for PyTorch

    static String describe(String archive, Map<String, Tensor> sd, List<List<String>> shared, String extra) {
        StringBuilder sb = new StringBuilder("{\"archive\": ").append(jsonStr(archive)).append(", \"tensors\": {");
        boolean first = true;
        for (Map.Entry<String, Tensor> e : sd.entrySet()) {
            Tensor t = e.getValue();
            sb.append(first ? "" : ", ").append(jsonStr(e.getKey())).append(": {\"dtype\": \"").append(t.dtype.pyName)
                    .append("\", \"shape\": ").append(Arrays.toString(t.shape())).append(", \"stride\": ")
                    .append(Arrays.toString(t.strides())).append(", \"offset\": ").append(t.offset)
                    .append(", \"storage_size\": ").append(t.storage.size()).append(", \"values\": [");
            List<Object> v = values(t);
            for (int i = 0; i < v.size(); i++) sb.append(i > 0 ? ", " : "").append(v.get(i));
            sb.append("]}");
            first = false;
        }
        sb.append("}, \"shared\": [");
        for (int i = 0; i < shared.size(); i++) {
            sb.append(i > 0 ? ", " : "").append("[");
            for (int j = 0; j < shared.get(i).size(); j++) sb.append(j > 0 ? ", " : "").append(jsonStr(shared.get(i).get(j)));
            sb.append("]");
        }
        sb.append("]");
        if (extra != null) sb.append(", \"extra\": ").append(extra);
        return sb.append("}").toString();
    }

    static String jsonStr(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') sb.append('\\').append(c);
            else if (c < 0x20 || c > 0x7E) sb.append(String.format("\\u%04x", (int) c));
            else sb.append(c);
        }
        return sb.append('"').toString();
    }

    static double sum(float[] a) {
        double s = 0;
        for (float f : a) s += f;
        return s;
    }
}
