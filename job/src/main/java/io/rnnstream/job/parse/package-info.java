/** The parse stage: each JSON record becomes an event, or a dead letter that says what is wrong with it. */
package io.rnnstream.job.parse;
