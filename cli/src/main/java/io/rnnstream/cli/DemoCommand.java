package io.rnnstream.cli;

import picocli.CommandLine.Command;

/** A placeholder, so that the command is listed where it will be. */
@Command(name = "demo", mixinStandardHelpOptions = true, versionProvider = Rnnstream.Version.class,
        description = "An end-to-end demo over Kafka (not here yet).")
final class DemoCommand extends BaseCommand {
    @Override
    protected int run() {
        err().println("error: demo arrives with the Kafka issue; meanwhile try 'rnnstream predict' on a .npy file");
        return 1;
    }
}
