// Summaries and questions in the web app (README, "Summaries and questions"), typed by graphql-codegen like api/operations.ts.
import { graphql } from '../../gql/index.js';

export const JobSummaryQuery = graphql(`
  query WebAppJobSummary($id: ID!) {
    job(id: $id) {
      id
      status
      revision
      summaryStatus
      summaryError
      summary {
        text
        model
        revision
        keyPoints { text segmentIndexes ranges { start end } }
        actionItems { text segmentIndexes ranges { start end } }
      }
    }
  }
`);

export const SummarizeJobMutation = graphql(`
  mutation WebAppSummarizeJob($jobId: ID!) {
    summarizeJob(jobId: $jobId) { id summaryStatus summaryError }
  }
`);

export const AskTranscriptMutation = graphql(`
  mutation WebAppAskTranscript($jobId: ID!, $question: String!) {
    askTranscript(jobId: $jobId, question: $question) {
      question
      answer
      citations { segmentIndex start end text }
    }
  }
`);
