package org.jtorch.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.graalvm.polyglot.Value;
import org.jtorch.bridge.ReplEditor;
import org.jtorch.bridge.Session;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The interactive prompt's line editor: Tab completion over the session's names, and the history file. */
class ReplEditorTest {
    static Session s;
    static final ByteArrayOutputStream out = new ByteArrayOutputStream();

    @BeforeAll static void start() {
        s = Session.builder().shimPath(TestModels.shimSource()).out(out).importTorch(false).build();
    }

    @AfterAll static void stop() { s.close(); }

    @Test void completesNamesAndAttributes(@TempDir Path tmp) throws Exception {
        try (ReplEditor e = ReplEditor.streams(new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream(), null)) {
            s.eval("import torch\nx = torch.ones(2)");
            e.setCompleter(s.eval("import _jtorch_launch, __main__\nlambda t: _jtorch_launch.completions(__main__.__dict__, t)"));
            List<String> c = e.completions("torch.ze", 8);
            assertTrue(c.contains("torch.zeros") && c.contains("torch.zeros_like"), c.toString());
            assertTrue(c.stream().allMatch(n -> n.startsWith("torch.ze")), c.toString());
            assertEquals(c, e.completions("y = print(torch.ze", 18));          // the dotted name before the cursor
            assertTrue(e.completions("x.su", 4).contains("x.sum"));
            assertTrue(e.completions("pri", 3).contains("print"));
            assertEquals(List.of(), e.completions("torch.no_such_thing", 19));
            assertEquals(List.of(), e.completions("1.", 2));
        }
    }

    @Test void promptWritesHistory(@TempDir Path tmp) throws Exception {
        Path history = tmp.resolve("history");
        Files.writeString(history, "old_entry = 1\n");
        Files.setPosixFilePermissions(history, PosixFilePermissions.fromString("rw-------"));
        // the keys typed, then Ctrl-D on an empty line; the terminal's input then stays open (no end of stream)
        byte[] keys = "y = 41\ny + 1\nfor i in range(2):\n    print('v', i)\n\n\u0004".getBytes(StandardCharsets.UTF_8);
        InputStream typed = new SequenceInputStream(new ByteArrayInputStream(keys), new PipedInputStream(new PipedOutputStream()));
        ByteArrayOutputStream screen = new ByteArrayOutputStream();
        out.reset();
        try (ReplEditor e = ReplEditor.streams(typed, screen, history)) {
            Value main = s.eval("import _jtorch_launch\n_jtorch_launch.main");
            main.execute("repl", null, new String[] {""}, e);
        }
        String printed = out.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("42\n") && printed.contains("v 0\nv 1\n"), "printed: " + printed + "\nscreen: " + screen);
        List<String> lines = Files.readAllLines(history);
        assertEquals(List.of("old_entry = 1", "y = 41", "y + 1", "for i in range(2):", "    print('v', i)"),
            lines.stream().filter(l -> !l.isEmpty()).toList());
    }
}
