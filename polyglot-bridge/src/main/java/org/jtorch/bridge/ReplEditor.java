package org.jtorch.bridge;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.graalvm.polyglot.Value;
import org.jline.reader.Candidate;
import org.jline.reader.CompletingParsedLine;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.ParsedLine;
import org.jline.reader.Parser;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.history.DefaultHistory;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * Line editing for the interactive prompt (JLine): cursor keys and Emacs-style editing, a persistent history
 * ({@code ~/.jtorch_history}, or {@code $JTORCH_HISTORY}) and Tab completion of Python names and attributes,
 * computed by a Python function over the session's {@code __main__} (see {@code _jtorch_launch.completions}).
 * The Python side calls {@link #readLine} instead of reading stdin; it is used only when stdin is a terminal.
 */
public final class ReplEditor implements AutoCloseable {
    private final Terminal terminal;
    private final LineReader reader;
    private Value completer;
    private boolean interrupted;

    private ReplEditor(Terminal terminal, Path historyFile) {
        this.terminal = terminal;
        LineReaderBuilder b = LineReaderBuilder.builder().terminal(terminal).appName("jtorch")
            .parser(new NameParser())
            .completer((r, line, candidates) -> complete(line.word(), candidates))
            .history(new DefaultHistory())
            .variable(LineReader.HISTORY_FILE_SIZE, 10000)
            .variable(LineReader.HISTORY_SIZE, 10000)
            .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)  // '!' is Python's, not history expansion
            .option(LineReader.Option.HISTORY_TIMESTAMPED, false)      // one plain line per entry
            .option(LineReader.Option.HISTORY_IGNORE_SPACE, false)     // indented block lines are history too,
            .option(LineReader.Option.HISTORY_REDUCE_BLANKS, false)    // with their indentation
            .option(LineReader.Option.INSERT_TAB, true)                // Tab at the start of a line indents
            .option(LineReader.Option.AUTO_PARAM_SLASH, false)
            .option(LineReader.Option.AUTO_REMOVE_SLASH, false);
        if (historyFile != null) {
            b.variable(LineReader.HISTORY_FILE, historyFile);
            try {  // private, like readline's ~/.python_history
                if (!java.nio.file.Files.exists(historyFile) && historyFile.getFileSystem().supportedFileAttributeViews().contains("posix"))
                    java.nio.file.Files.createFile(historyFile, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
            } catch (IOException | RuntimeException e) {
                // JLine creates it when saving
            }
        }
        this.reader = b.build();
    }

    /** An editor on the process's terminal. */
    public static ReplEditor system(Path historyFile) throws IOException {
        return new ReplEditor(TerminalBuilder.builder().system(true).build(), historyFile);
    }

    /** An editor reading keys from in and drawing on out (tests, or a terminal that is not the process's). */
    public static ReplEditor streams(InputStream in, OutputStream out, Path historyFile) throws IOException {
        Terminal t = new org.jline.terminal.impl.ExternalTerminal("jtorch", "xterm", in, out, StandardCharsets.UTF_8);
        t.setSize(org.jline.terminal.Size.of(120, 40));
        return new ReplEditor(t, historyFile);
    }

    /** Whether both stdin and stdout are a terminal (otherwise the prompt reads stdin like python). */
    public static boolean stdinIsTerminal() {
        java.io.Console c = System.console();
        return c != null && c.isTerminal();
    }

    /** $JTORCH_HISTORY (empty: no history file), else ~/.jtorch_history. */
    public static Path defaultHistoryFile() {
        String h = System.getenv("JTORCH_HISTORY");
        if (h != null) return h.isEmpty() ? null : Path.of(h).toAbsolutePath();
        return Path.of(System.getProperty("user.home"), ".jtorch_history");
    }

    /** The Python function {@code f(text) -> list of str} that completes a (dotted) name. */
    public void setCompleter(Value f) { this.completer = f; }

    /** Reads a line; null at end of input (Ctrl-D) or on Ctrl-C, which {@link #wasInterrupted()} tells apart. */
    public String readLine(String prompt) {
        interrupted = false;
        try {
            return reader.readLine(prompt);
        } catch (UserInterruptException e) {
            interrupted = true;
            return null;
        } catch (EndOfFileException e) {
            return null;
        }
    }

    /** Whether the last {@link #readLine} ended with Ctrl-C. */
    public boolean wasInterrupted() { return interrupted; }

    /** The completions the Tab key offers with the cursor at {@code cursor} in {@code line}. */
    public List<String> completions(String line, int cursor) {
        List<Candidate> c = new ArrayList<>();
        complete(new NameParser().parse(line, cursor, Parser.ParseContext.COMPLETE).word(), c);
        List<String> r = new ArrayList<>();
        for (Candidate x : c) r.add(x.value());
        return r;
    }

    private void complete(String word, List<Candidate> candidates) {
        if (completer == null || word.isEmpty()) return;
        Value names = completer.execute(word);
        for (long k = 0; k < names.getArraySize(); k++) {
            String n = names.getArrayElement(k).asString();
            candidates.add(new Candidate(n, n, null, null, null, null, true));
        }
    }

    /** Saves the history and gives the terminal back. */
    @Override public void close() {
        try {
            reader.getHistory().save();
        } catch (IOException e) {
            System.err.println("jtorch: could not save the history: " + e.getMessage());
        }
        try {
            terminal.close();
        } catch (IOException e) {
            // nothing to do
        }
    }

    /** The word to complete is the dotted Python name before the cursor ({@code print(torch.ze} -> {@code torch.ze}). */
    static final class NameParser implements Parser {
        @Override public ParsedLine parse(String line, int cursor, ParseContext context) {
            int start = Math.min(cursor, line.length());
            while (start > 0 && (Character.isJavaIdentifierPart(line.charAt(start - 1)) || line.charAt(start - 1) == '.'))
                start--;
            return new Parsed(line, cursor, line.substring(start, Math.min(cursor, line.length())));
        }
    }

    private record Parsed(String line, int cursor, String word) implements CompletingParsedLine {
        @Override public int wordCursor() { return word.length(); }

        @Override public int wordIndex() { return 0; }

        @Override public List<String> words() { return List.of(word); }

        @Override public CharSequence escape(CharSequence candidate, boolean complete) { return candidate; }

        @Override public int rawWordCursor() { return word.length(); }

        @Override public int rawWordLength() { return word.length(); }
    }
}
