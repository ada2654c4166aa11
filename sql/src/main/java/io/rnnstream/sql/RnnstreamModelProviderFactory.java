package io.rnnstream.sql;

import java.util.Set;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.catalog.ResolvedCatalogModel;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.factories.ModelProviderFactory;
import org.apache.flink.table.functions.PredictFunction;
import org.apache.flink.table.ml.ModelProvider;
import org.apache.flink.table.ml.PredictRuntimeProvider;
import org.apache.flink.table.types.logical.ArrayType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.LogicalTypeRoot;

/**
 * {@code CREATE MODEL m INPUT (features ARRAY<ARRAY<FLOAT>>) OUTPUT (output ARRAY<FLOAT>, …)
 * WITH ('provider' = 'rnnstream', 'path' = …)}: {@code ML_PREDICT} runs a whole sequence per row
 * through the model file and gives its final output. Stateless by design: the per-key, one step per
 * event case is {@link RnnClassify}.
 *
 * <p>The schemas are checked here, when the statement is planned, so a wrong declaration fails the
 * statement rather than the running job; the model file itself is read where the function runs.
 */
public class RnnstreamModelProviderFactory implements ModelProviderFactory {
    public static final String IDENTIFIER = "rnnstream";

    public static final ConfigOption<String> PATH = ConfigOptions.key("path").stringType().noDefaultValue()
            .withDescription("The model file (native .rnns, Keras .h5/.keras or ONNX), readable where the job runs.");

    @Override
    public ModelProvider createModelProvider(Context context) {
        FactoryUtil.ModelProviderFactoryHelper helper = FactoryUtil.createModelProviderFactoryHelper(this, context);
        helper.validate();
        ResolvedCatalogModel model = context.getCatalogModel();
        checkInput(model);
        SequenceOutputs outputs = SequenceOutputs.of(model.getResolvedOutputSchema().getColumns());
        return new Provider(helper.getOptions().get(PATH), outputs);
    }

    private static void checkInput(ResolvedCatalogModel model) {
        var columns = model.getResolvedInputSchema().getColumns();
        if (columns.size() != 1 || !isSequenceType(columns.get(0).getDataType().getLogicalType())) {
            throw new ValidationException("a 'rnnstream' model takes one input column of type ARRAY<ARRAY<FLOAT>>"
                    + " (a sequence of steps of features), not " + describe(columns));
        }
    }

    private static boolean isSequenceType(LogicalType t) {
        return t instanceof ArrayType steps && steps.getElementType() instanceof ArrayType features
                && features.getElementType().getTypeRoot() == LogicalTypeRoot.FLOAT;
    }

    static String describe(java.util.List<Column> columns) {
        return columns.stream().map(c -> c.getName() + " " + c.getDataType()).toList().toString();
    }

    @Override
    public String factoryIdentifier() {
        return IDENTIFIER;
    }

    @Override
    public Set<ConfigOption<?>> requiredOptions() {
        return Set.of(PATH);
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        return Set.of();
    }

    /** What the planner keeps; the function is built per task, where the model file is read. */
    static final class Provider implements PredictRuntimeProvider {
        private final String path;
        private final SequenceOutputs outputs;

        Provider(String path, SequenceOutputs outputs) {
            this.path = path;
            this.outputs = outputs;
        }

        @Override
        public PredictFunction createPredictFunction(ModelProvider.Context context) {
            return new SequencePredictFunction(path, outputs);
        }

        @Override
        public ModelProvider copy() {
            return new Provider(path, outputs);
        }
    }
}
