package io.rnnstream.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code rnnstream} command line. Each subcommand is one class in this package; a new one
 * (stream, train, …) is added to the {@code subcommands} list below.
 *
 * <p>Exit codes: 0 done, 1 an error (bad model, bad input, I/O), 2 a usage error. Every error is one
 * line on stderr, {@code error: …}; {@code --debug} adds the stack trace.
 */
@Command(name = "rnnstream", mixinStandardHelpOptions = true, versionProvider = Rnnstream.Version.class,
        description = "Per-key recurrent sequence classification, with the same numbers as Keras.",
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {
            SummaryCommand.class,
            PredictCommand.class,
            ConvertCommand.class,
            StreamCommand.class,
            TrainCommand.class,
            DemoCommand.class,
            KafkaCommand.class,
            ReplayCommand.class,
            PublishModelCommand.class,
            ClusterCommand.class,
            SubmitCommand.class,
            BenchCommand.class,
            SqlCommand.class,
            CommandLine.HelpCommand.class,
        })
public final class Rnnstream implements Callable<Integer> {
    /** False where the terminal cannot show box-drawing characters: the summary is then plain ASCII. */
    boolean unicode = true;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "missing a command: say which, e.g. 'rnnstream summary"
                + " MODEL'; 'rnnstream --help' lists them");
    }

    public static void main(String[] args) {
        Charset cs = terminalCharset();
        boolean utf8 = cs.equals(StandardCharsets.UTF_8);
        CommandLine cl = commandLine(utf8 || cs.newEncoder().canEncode("┃×—"));
        cl.setOut(new PrintWriter(new OutputStreamWriter(System.out, cs), true));
        cl.setErr(new PrintWriter(new OutputStreamWriter(System.err, cs), true));
        System.exit(cl.execute(args));
    }

    /** The command line as {@code main} runs it: one-line usage errors (exit 2) and error handling. */
    public static CommandLine commandLine() {
        return commandLine(true);
    }

    static CommandLine commandLine(boolean unicode) {
        Rnnstream root = new Rnnstream();
        root.unicode = unicode;
        CommandLine cl = new CommandLine(root);
        cl.setParameterExceptionHandler(Rnnstream::usageError);
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            // Subcommands report their own errors; this catches what escapes them.
            cmd.getErr().println("error: " + Errors.oneLine(e));
            if (parsed.originalArgs().contains("--debug")) {
                e.printStackTrace(cmd.getErr());
            }
            cmd.getErr().flush();
            return 1;
        });
        return cl;
    }

    private static int usageError(ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        String name = cmd.getCommandSpec().qualifiedName();
        cmd.getErr().println("error: " + Errors.oneLine(e.getMessage()) + " (see '" + name + " --help')");
        cmd.getErr().flush();
        return 2;
    }

    /** The charset the terminal expects: Java's stdout encoding, or UTF-8 when the locale says so. */
    private static Charset terminalCharset() {
        for (String p : new String[] {"stdout.encoding", "sun.stdout.encoding"}) {
            String v = System.getProperty(p);
            if (v != null) {
                try {
                    return Charset.forName(v);
                } catch (RuntimeException e) {
                    // an unknown name: keep looking
                }
            }
        }
        for (String v : new String[] {"LC_ALL", "LC_CTYPE", "LANG"}) {
            String s = System.getenv(v);
            if (s != null && !s.isEmpty()) {
                String u = s.toUpperCase(Locale.ROOT);
                return u.contains("UTF-8") || u.contains("UTF8") ? StandardCharsets.UTF_8 : Charset.defaultCharset();
            }
        }
        return Charset.defaultCharset();
    }

    /** {@code --version}: the build's version, from a resource Maven fills in. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"rnnstream " + version(), "Java " + System.getProperty("java.version") + " ("
                    + System.getProperty("java.vm.name") + ")"};
        }

        static String version() {
            Properties p = new Properties();
            try (InputStream in = Rnnstream.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            } catch (IOException e) {
                // fall through to "unknown"
            }
            return p.getProperty("version", "unknown");
        }
    }
}
