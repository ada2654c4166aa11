package io.rnnstream.job;

import io.rnnstream.job.step.Head;
import io.rnnstream.model.Model;
import io.rnnstream.model.ModelLoader;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The main class of the job jar, for {@code flink run} and the REST API:
 *
 * <pre>
 * flink run -c io.rnnstream.job.JobMain rnnstream-job-flink-job.jar \
 *   --model /models/mnist.rnns --bootstrap-servers kafka:9092 \
 *   --input-topic events --output-topic outputs --dlq-topic dead-letters
 * </pre>
 *
 * The model is read once, here on the client, and travels inside the job graph, so TaskManagers
 * need no access to the file. Everything else (state backend, checkpoint storage, restarts) comes
 * from the cluster's configuration. The options are {@link JobOptions}', the same as {@code rnnstream stream}'s.
 */
public final class JobMain {
    private JobMain() {}

    public static void main(String[] args) throws Exception {
        JobOptions o = JobOptions.parse(args);
        if (o.model == null) {
            throw new IllegalArgumentException("missing --model");
        }
        Model model = ModelLoader.load(o.model);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        FlinkSettings.enableObjectReuse(env);
        o.configure(env);
        StreamOptions opts = o.streamOptions();
        String warning = Head.decisionWarning(model, opts);
        if (warning != null) {
            System.err.println(warning);
        }
        KafkaJob.Settings settings = o.kafkaSettings();
        String notAnswering = KafkaJob.checkAccess(settings);
        if (notAnswering != null) {
            System.err.println(notAnswering);
        }
        KafkaJob.build(env, settings, Pipeline.builder().model(ModelProvider.of(model)).options(opts)
                .keyShuffle(o.keyShuffle()));
        env.execute(o.jobName != null ? o.jobName : "rnnstream " + model.id());
    }
}
