package io.rnnstream.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * What every subcommand shares: {@code --debug}, and turning a failure into one {@code error: …}
 * line on stderr with exit code 1 (so that even {@code new CommandLine(new Rnnstream())} without
 * {@link Rnnstream#commandLine()}'s handlers never prints a stack trace by default).
 */
abstract class BaseCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--debug", description = "On an error, print the stack trace too.")
    boolean debug;

    /** Does the work; returns the exit code. Throw {@link io.rnnstream.model.ModelException} for the user's errors. */
    protected abstract int run() throws Exception;

    @Override
    public final Integer call() {
        try {
            int rc = run();
            out().flush();
            return rc;
        } catch (Exception | OutOfMemoryError | StackOverflowError e) {
            out().flush();
            PrintWriter err = err();
            err.println("error: " + Errors.oneLine(e));
            if (debug) {
                e.printStackTrace(err);
            }
            err.flush();
            return 1;
        }
    }

    protected PrintWriter out() {
        return spec.commandLine().getOut();
    }

    protected PrintWriter err() {
        return spec.commandLine().getErr();
    }

    protected boolean unicode() {
        // The root command, however deep this one is (bench kafka is two levels down).
        Object root = spec.root().userObject();
        return !(root instanceof Rnnstream r) || r.unicode;
    }
}
