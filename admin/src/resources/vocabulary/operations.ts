// Vocabulary sets in the web app (README, "Vocabulary and context"), typed by graphql-codegen.
import { graphql } from '../../gql/index.js';

export const VocabularySetsQuery = graphql(`
  query WebAppVocabularySets($projectId: ID) {
    vocabularySets(first: 100, projectId: $projectId) {
      edges {
        node {
          id
          name
          terms
          termCount
          personal
          projectDefault
          project { id name }
        }
      }
    }
  }
`);

export const CreateVocabularySetMutation = graphql(`
  mutation WebAppCreateVocabularySet($input: CreateVocabularySetInput!) {
    createVocabularySet(input: $input) { id name termCount }
  }
`);

export const UpdateVocabularySetMutation = graphql(`
  mutation WebAppUpdateVocabularySet($id: ID!, $input: UpdateVocabularySetInput!) {
    updateVocabularySet(id: $id, input: $input) { id name terms termCount }
  }
`);

export const DeleteVocabularySetMutation = graphql(`
  mutation WebAppDeleteVocabularySet($id: ID!) {
    deleteVocabularySet(id: $id)
  }
`);

export const SetProjectDefaultVocabularySetsMutation = graphql(`
  mutation WebAppSetProjectDefaultVocabularySets($projectId: ID!, $ids: [ID!]!) {
    setProjectDefaultVocabularySets(projectId: $projectId, vocabularySetIds: $ids) { id defaultVocabularySets { id } }
  }
`);

export const ProjectVocabularyQuery = graphql(`
  query WebAppProjectVocabulary($id: ID!) {
    project(id: $id) { id viewerRole }
  }
`);

export const JobVocabularyQuery = graphql(`
  query WebAppJobVocabulary($id: ID!) {
    job(id: $id) {
      id
      vocabularyTerms
      contextPrompt
      vocabularyApplied { ...WebAppVocabularyApplication }
    }
  }
`);

export const VocabularyApplicationFragment = graphql(`
  fragment WebAppVocabularyApplication on VocabularyApplication {
    provider
    termsApplied
    termsNotApplied { term reason }
    contextPromptPassed
    truncated
    notes
  }
`);

export const LiveSessionVocabularyQuery = graphql(`
  query WebAppLiveSessionVocabulary($id: ID!) {
    liveSession(id: $id) {
      id
      status
      vocabularyTerms
      contextPrompt
      vocabularyApplied { ...WebAppVocabularyApplication }
      segments { index text }
    }
  }
`);
