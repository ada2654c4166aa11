package io.rnnstream.connectors.kafka;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * The model topic must have exactly one partition: the order of model updates decides which model a
 * sequence starts on, and Kafka orders records only within a partition. A topic that does not exist
 * yet is created with one (a broker's auto-creation would give it {@code num.partitions}); one with
 * more is refused, since a replay could then apply its updates in another order.
 */
public final class ModelTopic {
    private static final long TIMEOUT_SECONDS = 30;

    private ModelTopic() {}

    /**
     * Creates {@code topic} with one partition if it is missing; fails with what to do if it has more.
     *
     * @param clientProperties the job's Kafka client properties (credentials), passed to the admin client
     */
    public static void requireSinglePartition(String bootstrapServers, String topic, Properties clientProperties) {
        Properties p = new Properties();
        p.putAll(clientProperties);
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        try (Admin admin = Admin.create(p)) {
            int partitions = partitions(admin, topic);
            if (partitions == 0) {
                try {
                    admin.createTopics(List.of(new NewTopic(topic, java.util.Optional.of(1), java.util.Optional.empty())))
                            .all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                    return;
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                    partitions = partitions(admin, topic);
                }
            }
            if (partitions != 1) {
                throw new IllegalArgumentException("the model topic '" + topic + "' has " + partitions + " partitions;"
                        + " it needs exactly one, because the order of model updates decides which model a sequence"
                        + " starts on and Kafka keeps order only within a partition: use a new one-partition topic"
                        + " (kafka-topics --create --topic T --partitions 1) and publish the models to it again");
            }
        } catch (ExecutionException | TimeoutException e) {
            Throwable c = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException("cannot check the model topic '" + topic + "' on " + bootstrapServers + ": "
                    + c.getClass().getSimpleName() + (c.getMessage() == null ? "" : ": " + c.getMessage()), c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking the model topic '" + topic + "'", e);
        }
    }

    /** The topic's partition count, 0 when it does not exist. */
    private static int partitions(Admin admin, String topic)
            throws ExecutionException, InterruptedException, TimeoutException {
        try {
            Map<String, TopicDescription> d = admin.describeTopics(List.of(topic)).allTopicNames()
                    .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            return d.get(topic).partitions().size();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return 0;
            }
            throw e;
        }
    }
}
