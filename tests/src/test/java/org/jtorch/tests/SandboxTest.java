package org.jtorch.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.graalvm.polyglot.PolyglotException;
import org.jtorch.autograd.Variable;
import org.jtorch.bridge.JTorch;
import org.jtorch.bridge.PyModule;
import org.jtorch.bridge.PyOptimizer;
import org.jtorch.bridge.Session;
import org.jtorch.engine.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A sandboxed session: torch and the model folder import (read-only), host files, processes, sockets do not. */
class SandboxTest {
    @TempDir static Path dir;
    @TempDir static Path outside;
    static Session s;

    @BeforeAll static void start() throws Exception {
        TestModels.writeTo(dir);
        Files.writeString(outside.resolve("secret.txt"), "secret");
        s = JTorch.session().shimPath(TestModels.shimSource()).addPythonPath(dir).sandboxed(true).build();
    }

    @AfterAll static void stop() {
        if (s != null) s.close();
    }

    /** Runs Python code that must raise; returns "ExceptionType: message" as caught inside Python. */
    private static String raised(String code) {
        String wrapped = "def _f():\n" + code.indent(4) + "try:\n    _f()\n    _r = 'no exception'\nexcept BaseException as e:\n    _r = type(e).__name__ + ': ' + str(e)\n_r";
        return s.eval(wrapped).asString();
    }

    @Test void torchWorksAndModelsTrain() {
        assertTrue(s.isSandboxed());
        PyModule net = s.newModule("tiny_models", "MLP");
        float[] xs = TestModels.inputs(16, 5);
        Variable x = new Variable(JTorch.tensor(xs, 16, 4));
        Variable y = new Variable(JTorch.tensor(TestModels.linearTargets(xs), 16, 1));
        PyOptimizer opt = s.optimizer("SGD", net, Map.of("lr", 0.1));
        Variable loss = null;
        for (int i = 0; i < 3; i++) {
            opt.zeroGrad();
            loss = (Variable) s.call("torch.nn.functional.mse_loss", net.forward(x), y);
            loss.backward();
            opt.step();
        }
        assertTrue(Double.isFinite(loss.data.item()));
        float[] a = {1, 2, 3};
        s.tensor(JTorch.tensor(a)).invokeMember("mul_", 3);   // zero copy holds in a sandbox too
        assertArrayEquals(new float[] {3, 6, 9}, a);
        // in-memory serialization works (uses java.nio through the allowed host classes)
        Tensor back = s.toTensor(s.eval("""
            import io, torch
            _b = io.BytesIO()
            torch.save({'w': torch.arange(4.)}, _b)
            _b.seek(0)
            torch.load(_b)['w']
            """));
        assertArrayEquals(new float[] {0, 1, 2, 3}, back.toFloatArray());
        // engine errors are still PyTorch's Python exceptions
        assertTrue(raised("import torch\ntorch.ones(2, 3) @ torch.ones(2, 3)").startsWith("RuntimeError: mat1 and mat2 shapes"));
    }

    @Test void cannotReadHostFiles() {
        assertTrue(raised("open('/etc/hostname').read()").startsWith("PermissionError"), raised("open('/etc/hostname').read()"));
        String secret = outside.resolve("secret.txt").toString();
        assertTrue(raised("open(" + pyStr(secret) + ").read()").startsWith("PermissionError"));
        assertTrue(raised("import os\nos.listdir('/')").startsWith("PermissionError"));
        // '..' out of an allowed folder is resolved before the check
        assertTrue(raised("open(" + pyStr(dir + "/../../../../../../etc/hostname") + ").read()").startsWith("PermissionError"));
        // Java's own file API is not reachable either
        assertTrue(raised("import java\njava.type('java.io.FileInputStream')").startsWith("KeyError"));
        assertTrue(raised("import java\njava.type('org.jtorch.engine.io.PtFile')").startsWith("KeyError"));
        assertTrue(raised("import torch\ntorch.ones(1)._v.getClass().getClassLoader()").startsWith("AttributeError"));
        assertTrue(raised("import torch\ntorch.save(torch.ones(1), " + pyStr(outside.resolve("x.pt").toString()) + ")").contains("Error"));
        assertFalse(Files.exists(outside.resolve("x.pt")));
    }

    @Test void weightsInAnAllowedFolderLoad() throws Exception {
        Path pt = dir.resolve("weights.pt");
        org.jtorch.engine.io.PtFile.writeStateDict(Map.of("w", JTorch.tensor(new float[] {1, 2, 3})), pt);  // written by Java
        Tensor w = s.toTensor(s.eval("import torch\ntorch.load(" + pyStr(pt.toString()) + ")['w']"));
        assertArrayEquals(new float[] {1, 2, 3}, w.toFloatArray());
    }

    @Test void allowedFoldersAreReadOnly() {
        assertEquals("no exception", raised("open(" + pyStr(dir.resolve("tiny_models.py").toString()) + ").read()"));
        assertTrue(raised("open(" + pyStr(dir.resolve("new.py").toString()) + ", 'w').write('x')").startsWith("PermissionError"));
        assertFalse(Files.exists(dir.resolve("new.py")));
        assertThrows(IllegalArgumentException.class, () -> s.addPythonPath(outside));
    }

    @Test void cannotRunProcessesOrOpenSockets() {
        Path marker = outside.resolve("ran");
        String sh = "['/bin/sh', '-c', 'touch " + marker + "']";
        String r = raised("import subprocess\nsubprocess.run(" + sh + ")");
        assertTrue(r.startsWith("PermissionError") || r.startsWith("FileNotFoundError"), r);
        assertThrows(PolyglotException.class, () -> s.eval("import os\nos.system('touch " + marker + "')"));
        assertFalse(raised("import os\nos.execv('/bin/sh', " + sh + ")").equals("no exception"));
        assertFalse(Files.exists(marker), "no process ran");
        assertTrue(raised("import java\njava.type('java.lang.ProcessBuilder')").startsWith("KeyError"));
        // some denials are not Python exceptions (a script cannot catch them): the call fails in Java
        assertThrows(PolyglotException.class, () -> s.eval("import socket\nsocket.create_connection(('127.0.0.1', 9))"));
        assertThrows(PolyglotException.class, () -> s.eval("import socket\nsocket.socket().bind(('127.0.0.1', 0))"));
        assertThrows(PolyglotException.class, () -> s.eval("import threading\nthreading.Thread(target=print).start()"));
        assertEquals("no exception", raised("import os\nassert 'HOME' not in os.environ"));
    }

    private static String pyStr(String s) { return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'"; }
}
