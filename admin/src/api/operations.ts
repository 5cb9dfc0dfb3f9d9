// Every operation the console sends. graphql-codegen (../../../codegen.ts) types them from
// schema.graphql into ../gql/; nothing else in the console speaks GraphQL.
import { graphql } from '../gql/index.js';

// ---- sessions -------------------------------------------------------------------------------

export const LoginMutation = graphql(`
  mutation ConsoleLogin($input: LoginInput!) {
    login(input: $input) {
      accessToken
      refreshToken
      accessTokenExpiresAt
      user { id username email role isActive }
    }
  }
`);

export const RegisterMutation = graphql(`
  mutation WebAppRegister($input: RegisterInput!) {
    register(input: $input) {
      accessToken
      refreshToken
      accessTokenExpiresAt
      user { id username email role isActive }
    }
  }
`);

export const RefreshSessionMutation = graphql(`
  mutation ConsoleRefreshSession($refreshToken: String!) {
    refreshSession(refreshToken: $refreshToken) {
      accessToken
      refreshToken
      accessTokenExpiresAt
      user { id username email role isActive }
    }
  }
`);

export const LogoutMutation = graphql(`
  mutation ConsoleLogout($refreshToken: String!) {
    logout(refreshToken: $refreshToken)
  }
`);

export const MeQuery = graphql(`
  query ConsoleMe {
    me { id username email role isActive }
  }
`);

export const SignInOptionsQuery = graphql(`
  query WebAppSignInOptions {
    signInOptions { oidcIssuers { key displayName startUrl } }
  }
`);

export const CompleteOidcSignInMutation = graphql(`
  mutation WebAppCompleteOidcSignIn($code: String!) {
    completeOidcSignIn(code: $code) {
      accessToken
      refreshToken
      accessTokenExpiresAt
      user { id username email role isActive }
    }
  }
`);

// ---- users ----------------------------------------------------------------------------------

export const UserFields = graphql(`
  fragment UserFields on User {
    id
    username
    email
    emailVerified
    role
    isActive
    createdAt
    quota {
      monthlyAudioMinutes
      usedAudioSecondsThisMonth
      reservedAudioSeconds
      remainingAudioSeconds
      resetsAt
    }
  }
`);

export const UsersQuery = graphql(`
  query AdminUsers($first: Int, $after: String, $search: String, $role: Role, $active: Boolean, $orderBy: UserOrder) {
    users(first: $first, after: $after, search: $search, role: $role, active: $active, orderBy: $orderBy) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { ...UserFields } }
    }
  }
`);

export const UserCursorsQuery = graphql(`
  query AdminUserCursors($first: Int, $after: String, $search: String, $role: Role, $active: Boolean, $orderBy: UserOrder) {
    users(first: $first, after: $after, search: $search, role: $role, active: $active, orderBy: $orderBy) {
      pageInfo { hasNextPage endCursor }
    }
  }
`);

export const UserQuery = graphql(`
  query AdminUser($id: ID!) {
    node(id: $id) {
      ... on User {
        ...UserFields
        apiKeys { id name prefix scopes createdAt lastUsedAt expiresAt revokedAt }
      }
    }
  }
`);

export const UserBriefQuery = graphql(`
  query AdminUserBrief($id: ID!) {
    node(id: $id) {
      ... on User { ...UserFields }
    }
  }
`);

export const SetUserRoleMutation = graphql(`
  mutation AdminSetUserRole($userId: ID!, $role: Role!) {
    setUserRole(userId: $userId, role: $role) { id }
  }
`);

export const SetUserActiveMutation = graphql(`
  mutation AdminSetUserActive($userId: ID!, $active: Boolean!) {
    setUserActive(userId: $userId, active: $active) { id }
  }
`);

export const SetUserQuotaMutation = graphql(`
  mutation AdminSetUserQuota($userId: ID!, $monthlyAudioMinutes: Int) {
    setUserQuota(userId: $userId, monthlyAudioMinutes: $monthlyAudioMinutes) { id }
  }
`);

// ---- jobs -----------------------------------------------------------------------------------

export const JobListFields = graphql(`
  fragment JobListFields on Job {
    id
    status
    progress
    provider
    model
    filename
    mediaDurationSeconds
    error
    attempts
    createdAt
    startedAt
    completedAt
    owner { id username }
    project { id name }
  }
`);

export const JobsQuery = graphql(`
  query AdminJobs(
    $first: Int
    $after: String
    $status: JobStatus
    $provider: Provider
    $userId: ID
    $search: String
    $from: DateTime
    $to: DateTime
  ) {
    allJobs(first: $first, after: $after, status: $status, provider: $provider, userId: $userId, search: $search, from: $from, to: $to) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { ...JobListFields } }
    }
  }
`);

export const JobCursorsQuery = graphql(`
  query AdminJobCursors(
    $first: Int
    $after: String
    $status: JobStatus
    $provider: Provider
    $userId: ID
    $search: String
    $from: DateTime
    $to: DateTime
  ) {
    allJobs(first: $first, after: $after, status: $status, provider: $provider, userId: $userId, search: $search, from: $from, to: $to) {
      pageInfo { hasNextPage endCursor }
    }
  }
`);

export const JobQuery = graphql(`
  query AdminJob($id: ID!) {
    job(id: $id) {
      ...JobListFields
      language
      detectedLanguage
      diarize
      translateTo
      text
      translatedText
      providers
      currentProvider
      events { at kind from to reason chunkIndex }
      segments { index start end text speaker provider }
    }
  }
`);

export const JobBriefQuery = graphql(`
  query AdminJobBrief($id: ID!) {
    job(id: $id) { ...JobListFields }
  }
`);

export const CancelJobMutation = graphql(`
  mutation AdminCancelJob($id: ID!) {
    cancelJob(id: $id) { id status }
  }
`);

export const RetryJobMutation = graphql(`
  mutation AdminRetryJob($id: ID!) {
    retryJob(id: $id) { id status }
  }
`);

export const DeleteJobMutation = graphql(`
  mutation AdminDeleteJob($id: ID!) {
    deleteJob(id: $id)
  }
`);

export const JobUpdatedSubscription = graphql(`
  subscription AdminJobUpdated($id: ID!) {
    jobUpdated(id: $id) { ...JobListFields currentProvider events { at kind from to reason chunkIndex } }
  }
`);

export const TranscriptChunksSubscription = graphql(`
  subscription AdminTranscriptChunks($jobId: ID!) {
    transcriptChunks(jobId: $jobId) {
      isFinal
      segment { index start end text speaker provider }
    }
  }
`);

export const JobStatsQuery = graphql(`
  query AdminJobStats($from: DateTime, $to: DateTime) {
    adminJobStats(from: $from, to: $to) {
      total queued processing completed failed cancelled successRate audioSeconds
    }
  }
`);

// ---- projects -------------------------------------------------------------------------------

export const ProjectFields = graphql(`
  fragment ProjectFields on Project {
    id
    name
    description
    createdAt
    viewerRole
    members { role joinedAt user { id username email } }
    prompts(first: 1) { totalCount }
  }
`);

export const ProjectsQuery = graphql(`
  query AdminProjects($first: Int, $after: String) {
    projects(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { ...ProjectFields } }
    }
  }
`);

export const ProjectCursorsQuery = graphql(`
  query AdminProjectCursors($first: Int, $after: String) {
    projects(first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
    }
  }
`);

export const ProjectQuery = graphql(`
  query AdminProject($id: ID!) {
    project(id: $id) { ...ProjectFields }
  }
`);

export const ProjectPromptsQuery = graphql(`
  query AdminProjectPrompts($id: ID!, $first: Int, $after: String) {
    project(id: $id) {
      id
      prompts(first: $first, after: $after) {
        totalCount
        pageInfo { hasNextPage endCursor }
        edges { node { id text recordingsCount approvedRecordingsCount } }
      }
    }
  }
`);

export const ProjectPromptCursorsQuery = graphql(`
  query AdminProjectPromptCursors($id: ID!, $first: Int, $after: String) {
    project(id: $id) {
      id
      prompts(first: $first, after: $after) {
        pageInfo { hasNextPage endCursor }
      }
    }
  }
`);

export const UpdateProjectMutation = graphql(`
  mutation AdminUpdateProject($id: ID!, $input: UpdateProjectInput!) {
    updateProject(id: $id, input: $input) { id }
  }
`);

export const DeleteProjectMutation = graphql(`
  mutation AdminDeleteProject($id: ID!, $confirmName: String) {
    deleteProject(id: $id, confirmName: $confirmName)
  }
`);

// ---- usage, audit, webhooks, outbox ---------------------------------------------------------

export const AdminUsageQuery = graphql(`
  query AdminUsage($from: DateTime, $to: DateTime, $groupBy: UsageGroupBy!) {
    adminUsage(from: $from, to: $to, groupBy: $groupBy) { key jobs liveSessions audioSeconds costUsd }
  }
`);

export const AuditLogQuery = graphql(`
  query AdminAuditLog($first: Int, $after: String, $actorId: ID, $action: String, $targetId: ID) {
    auditLog(first: $first, after: $after, actorId: $actorId, action: $action, targetId: $targetId) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges {
        node { id action targetType targetId requestId details createdAt actor { id username } }
      }
    }
  }
`);

export const AuditCursorsQuery = graphql(`
  query AdminAuditCursors($first: Int, $after: String, $actorId: ID, $action: String, $targetId: ID) {
    auditLog(first: $first, after: $after, actorId: $actorId, action: $action, targetId: $targetId) {
      pageInfo { hasNextPage endCursor }
    }
  }
`);

export const AuditEntryQuery = graphql(`
  query AdminAuditEntry($id: ID!) {
    node(id: $id) {
      ... on AuditEntry { id action targetType targetId requestId details createdAt actor { id username } }
    }
  }
`);

export const WebhookFields = graphql(`
  fragment WebhookFields on WebhookEndpoint {
    id url events enabled failureCount lastStatus lastError lastAttemptAt lastDeliveredAt disabledAt createdAt
    project { id name }
    owner { id username }
  }
`);

/** allUsers/ownerId: every user's webhooks (the console's operator is an admin). */
export const WebhooksQuery = graphql(`
  query AdminWebhooks($allUsers: Boolean, $ownerId: ID, $enabled: Boolean) {
    webhooks(allUsers: $allUsers, ownerId: $ownerId, enabled: $enabled) { ...WebhookFields }
  }
`);

export const WebhookQuery = graphql(`
  query AdminWebhook($id: ID!) {
    node(id: $id) { ... on WebhookEndpoint { ...WebhookFields } }
  }
`);

export const EnableWebhookMutation = graphql(`
  mutation AdminEnableWebhook($id: ID!) {
    enableWebhook(id: $id) { id enabled }
  }
`);

export const DeleteWebhookMutation = graphql(`
  mutation AdminDeleteWebhook($id: ID!) {
    deleteWebhook(id: $id)
  }
`);

export const OutboxQuery = graphql(`
  query AdminOutbox($first: Int, $after: String, $unsent: Boolean) {
    outbox(first: $first, after: $after, unsent: $unsent) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { id to subject body error sentAt createdAt } }
    }
  }
`);

export const OutboxCursorsQuery = graphql(`
  query AdminOutboxCursors($first: Int, $after: String, $unsent: Boolean) {
    outbox(first: $first, after: $after, unsent: $unsent) {
      pageInfo { hasNextPage endCursor }
    }
  }
`);

// ---- recordings (review queue) and dataset exports ------------------------------------------

export const RecordingFields = graphql(`
  fragment RecordingFields on Recording {
    id
    durationSeconds
    recognisedText
    suspicious
    checks {
      tooShort
      mostlySilence
      tooQuiet
      clipped
      wordErrorRate
      wordErrorRateHigh
      silenceRatio
      meanVolumeDb
      maxVolumeDb
      clippedRatio
    }
    lightAudioUrl
    subtitlesUrl
    reviewStatus
    reviewNote
    reviewedAt
    reviewedBy { id username }
    createdAt
    speaker { id username }
    prompt { id text }
    session { id }
  }
`);

export const ProjectRecordingsQuery = graphql(`
  query AdminProjectRecordings($id: ID!, $first: Int, $after: String, $reviewStatus: ReviewStatus) {
    project(id: $id) {
      id
      recordings(first: $first, after: $after, reviewStatus: $reviewStatus) {
        totalCount
        pageInfo { hasNextPage endCursor }
        edges { node { ...RecordingFields } }
      }
    }
  }
`);

export const ProjectRecordingCursorsQuery = graphql(`
  query AdminProjectRecordingCursors($id: ID!, $first: Int, $after: String, $reviewStatus: ReviewStatus) {
    project(id: $id) {
      id
      recordings(first: $first, after: $after, reviewStatus: $reviewStatus) {
        pageInfo { hasNextPage endCursor }
      }
    }
  }
`);

export const ReviewRecordingMutation = graphql(`
  mutation AdminReviewRecording($id: ID!, $status: ReviewStatus!, $note: String) {
    reviewRecording(id: $id, status: $status, note: $note) { ...RecordingFields }
  }
`);

export const DatasetExportFields = graphql(`
  fragment DatasetExportFields on DatasetExport {
    id
    status
    progress
    recordings
    sizeBytes
    downloadUrl
    error
    createdAt
    finishedAt
  }
`);

export const ProjectExportsQuery = graphql(`
  query AdminProjectExports($id: ID!) {
    project(id: $id) {
      id
      exports { ...DatasetExportFields }
    }
  }
`);

export const ExportDatasetMutation = graphql(`
  mutation AdminExportDataset($projectId: ID!) {
    exportDataset(projectId: $projectId) { ...DatasetExportFields }
  }
`);

// ---- record (a contributor reads prompts aloud) and project members and prompts -------------

export const NextPromptQuery = graphql(`
  query RecordNextPrompt($projectId: ID!) {
    project(id: $projectId) {
      id
      name
      viewerRole
      prompts(first: 1) { totalCount }
    }
    nextPrompt(projectId: $projectId) { id text }
  }
`);

export const MyRecordingsQuery = graphql(`
  query RecordMyRecordings($projectId: ID!, $speakerId: ID!, $first: Int) {
    project(id: $projectId) {
      id
      recordings(first: $first, speakerId: $speakerId) {
        totalCount
        edges {
          node {
            id
            createdAt
            durationSeconds
            reviewStatus
            reviewNote
            prompt { id text }
            checks { wordErrorRate }
          }
        }
      }
    }
  }
`);

export const StartRecordingSessionMutation = graphql(`
  mutation RecordStartSession($input: StartLiveSessionInput!) {
    startLiveSession(input: $input) { id nextSeq }
  }
`);

export const AppendRecordingAudioMutation = graphql(`
  mutation RecordAppendAudio($sessionId: ID!, $seq: Int!, $chunk: String!) {
    appendLiveAudio(sessionId: $sessionId, seq: $seq, chunk: $chunk)
  }
`);

export const RecordingSessionSeqQuery = graphql(`
  query RecordSessionSeq($id: ID!) {
    liveSession(id: $id) { id status nextSeq }
  }
`);

export const EndRecordingSessionMutation = graphql(`
  mutation RecordEndSession($id: ID!) {
    endLiveSession(id: $id) { id status }
  }
`);

export const DiscardRecordingSessionMutation = graphql(`
  mutation RecordDiscardSession($id: ID!) {
    discardLiveSession(id: $id)
  }
`);

export const RecordingTranscriptSubscription = graphql(`
  subscription RecordTranscript($sessionId: ID!) {
    transcriptChunks(sessionId: $sessionId) {
      isFinal
      segment { index text }
    }
  }
`);

export const InviteMemberMutation = graphql(`
  mutation ProjectInviteMember($projectId: ID!, $email: String!, $role: ProjectRole!) {
    inviteMember(projectId: $projectId, email: $email, role: $role)
  }
`);

export const SetMemberRoleMutation = graphql(`
  mutation ProjectSetMemberRole($projectId: ID!, $userId: ID!, $role: ProjectRole!) {
    setMemberRole(projectId: $projectId, userId: $userId, role: $role) { role user { id } }
  }
`);

export const RemoveMemberMutation = graphql(`
  mutation ProjectRemoveMember($projectId: ID!, $userId: ID!) {
    removeMember(projectId: $projectId, userId: $userId)
  }
`);

export const AddPromptsMutation = graphql(`
  mutation ProjectAddPrompts($projectId: ID!, $texts: [String!]!) {
    addPrompts(projectId: $projectId, texts: $texts) { id text }
  }
`);

// ---- web app: the signed-in user's own jobs (h1) ---------------------------------------------

export const MyJobsQuery = graphql(`
  query MyJobs($first: Int, $after: String, $status: JobStatus, $search: String, $from: DateTime, $to: DateTime) {
    jobs(first: $first, after: $after, status: $status, search: $search, from: $from, to: $to) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { ...JobListFields } }
    }
  }
`);

export const MyJobCursorsQuery = graphql(`
  query MyJobCursors($first: Int, $after: String, $status: JobStatus, $search: String, $from: DateTime, $to: DateTime) {
    jobs(first: $first, after: $after, status: $status, search: $search, from: $from, to: $to) {
      pageInfo { hasNextPage endCursor }
    }
  }
`);

export const MyJobUpdatedSubscription = graphql(`
  subscription MyJobUpdated {
    myJobUpdated { ...JobListFields }
  }
`);

/** One job from a file (GraphQL multipart: `file`), a finished tus upload (`uploadId`) or a `url`. */
export const CreateJobMutation = graphql(`
  mutation WebAppCreateJob($input: CreateTranscriptionJobInput!) {
    createTranscriptionJob(input: $input) { ...JobListFields }
  }
`);

// ---- account pages (usage and quota, API keys, provider keys, webhooks) and the live dashboard (h2)

export const MyAccountQuery = graphql(`
  query AccountMe($from: DateTime, $to: DateTime) {
    me {
      id
      username
      email
      role
      quota { monthlyAudioMinutes usedAudioSecondsThisMonth reservedAudioSeconds remainingAudioSeconds resetsAt }
    }
    byDay: usage(from: $from, to: $to, groupBy: DAY) { key jobs liveSessions audioSeconds costUsd }
    byProvider: usage(from: $from, to: $to, groupBy: PROVIDER) { key jobs liveSessions audioSeconds costUsd }
  }
`);

export const ApiKeyFields = graphql(`
  fragment ApiKeyFields on ApiKey { id name prefix scopes createdAt lastUsedAt expiresAt revokedAt }
`);

export const MyApiKeysQuery = graphql(`
  query AccountApiKeys {
    apiKeys { ...ApiKeyFields }
  }
`);

export const CreateApiKeyMutation = graphql(`
  mutation AccountCreateApiKey($input: CreateApiKeyInput!) {
    createApiKey(input: $input) { secret apiKey { ...ApiKeyFields } }
  }
`);

export const RevokeApiKeyMutation = graphql(`
  mutation AccountRevokeApiKey($id: ID!) {
    revokeApiKey(id: $id) { ...ApiKeyFields }
  }
`);

export const MyProviderKeysQuery = graphql(`
  query AccountProviderKeys {
    providerKeys { id provider name last4 createdAt lastUsedAt }
  }
`);

export const SetProviderKeyMutation = graphql(`
  mutation AccountSetProviderKey($input: SetProviderKeyInput!) {
    setProviderKey(input: $input) { id provider name last4 createdAt lastUsedAt }
  }
`);

export const DeleteProviderKeyMutation = graphql(`
  mutation AccountDeleteProviderKey($id: ID!) {
    deleteProviderKey(id: $id)
  }
`);

/** The viewer's webhooks and those of the projects they are OWNER or ADMIN of; and those projects. */
export const MyWebhooksQuery = graphql(`
  query AccountWebhooks {
    webhooks { ...WebhookFields }
    projects(first: 100) { edges { node { id name viewerRole } } }
  }
`);

export const CreateWebhookMutation = graphql(`
  mutation AccountCreateWebhook($input: CreateWebhookInput!) {
    createWebhook(input: $input) { secret webhook { ...WebhookFields } }
  }
`);

export const DashboardQuery = graphql(`
  query AdminDashboard($from: DateTime, $bucket: TimelineBucketSize) {
    adminJobStats { total queued processing completed failed cancelled successRate audioSeconds }
    adminJobTimeline(from: $from, bucket: $bucket) {
      start submitted completed failed cancelled queued processing busySeconds busyWorkers
    }
    adminJobRunners { id workers seenAt alive }
  }
`);

// ---- transcript view (resources/transcript) -----------------------------------------------------

export const TranscriptViewFields = graphql(`
  fragment TranscriptViewFields on Job {
    id
    status
    filename
    revision
    mediaUrl
    mediaType
    owner { id username }
    segments { index start end text speaker speakerName provider words { word start end } }
    speakers { speaker name displayName }
    revisions { number createdAt segmentIndex before after author { id username } }
  }
`);

export const TranscriptViewQuery = graphql(`
  query TranscriptView($id: ID!) {
    job(id: $id) { ...TranscriptViewFields }
  }
`);

export const EditTranscriptSegmentMutation = graphql(`
  mutation TranscriptEditSegment($input: EditTranscriptSegmentInput!) {
    editTranscriptSegment(input: $input) { ...TranscriptViewFields }
  }
`);

export const RenameSpeakerMutation = graphql(`
  mutation TranscriptRenameSpeaker($input: RenameSpeakerInput!) {
    renameSpeaker(input: $input) { ...TranscriptViewFields }
  }
`);
