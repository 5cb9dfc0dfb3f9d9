// "Run again" (README, "Running a job again"), typed by graphql-codegen like api/operations.ts.
import { graphql } from '../../gql/index.js';

export const RerunSettingsQuery = graphql(`
  query WebAppRerunSettings($id: ID!) {
    job(id: $id) {
      id
      providers
      model
      language
      diarize
      translateTo
      translationEngine
      sentimentRequested
      summaryRequested
    }
  }
`);

export const RerunJobMutation = graphql(`
  mutation WebAppRerunJob($id: ID!, $input: RerunJobInput) {
    rerunJob(id: $id, input: $input) { id status }
  }
`);

export const RerunOfQuery = graphql(`
  query WebAppRerunOf($id: ID!) {
    job(id: $id) { id rerunOf { id filename } }
  }
`);
