// Redaction in the web app (README, "Redaction"), typed by graphql-codegen like api/operations.ts.
import { graphql } from '../../gql/index.js';

export const JobRedactionQuery = graphql(`
  query WebAppJobRedaction($id: ID!) {
    job(id: $id) {
      id
      redact
      transcriptRedacted
      redactedRanges { start end }
      segments(redacted: true) { index start end text speakerName }
    }
  }
`);

export const ProjectRedactionQuery = graphql(`
  query WebAppProjectRedaction($id: ID!) {
    project(id: $id) {
      id
      viewerRole
      redact
      redactionMandatory
    }
  }
`);

export const SetProjectRedactionPolicyMutation = graphql(`
  mutation WebAppSetProjectRedactionPolicy($projectId: ID!, $redact: [RedactionKind!]!, $mandatory: Boolean!) {
    setProjectRedactionPolicy(projectId: $projectId, redact: $redact, mandatory: $mandatory) {
      id
      redact
      redactionMandatory
    }
  }
`);
