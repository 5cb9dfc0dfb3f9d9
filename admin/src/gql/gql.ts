/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  mutation WebAppDeleteAccount($input: DeleteAccountInput!) {\n    deleteAccount(input: $input)\n  }\n": typeof types.WebAppDeleteAccountDocument,
    "\n  mutation AdminDeleteUser($id: ID!) {\n    adminDeleteUser(id: $id)\n  }\n": typeof types.AdminDeleteUserDocument,
    "\n  mutation WebAppCompleteLogin($input: CompleteLoginInput!) {\n    completeLogin(input: $input) {\n      accessToken\n      refreshToken\n      accessTokenExpiresAt\n      user { id username email role isActive }\n    }\n  }\n": typeof types.WebAppCompleteLoginDocument,
    "\n  query WebAppMyTwoFactor {\n    me { id mfaEnabled secondFactors recoveryCodesRemaining }\n  }\n": typeof types.WebAppMyTwoFactorDocument,
    "\n  mutation WebAppEnrollTotp {\n    enrollTotp { secret uri }\n  }\n": typeof types.WebAppEnrollTotpDocument,
    "\n  mutation WebAppConfirmTotp($code: String!) {\n    confirmTotp(code: $code)\n  }\n": typeof types.WebAppConfirmTotpDocument,
    "\n  mutation WebAppRegenerateRecoveryCodes($code: String!) {\n    regenerateRecoveryCodes(code: $code)\n  }\n": typeof types.WebAppRegenerateRecoveryCodesDocument,
    "\n  mutation WebAppDisableTotp($input: DisableTotpInput!) {\n    disableTotp(input: $input) { id mfaEnabled }\n  }\n": typeof types.WebAppDisableTotpDocument,
    "\n  mutation ConsoleLogin($input: LoginInput!) {\n    login(input: $input) {\n      accessToken\n      refreshToken\n      accessTokenExpiresAt\n      user { id username email role isActive }\n    }\n  }\n": typeof types.ConsoleLoginDocument,
    "\n  mutation WebAppRegister($input: RegisterInput!) {\n    register(input: $input) {\n      accessToken\n      refreshToken\n      accessTokenExpiresAt\n      user { id username email role isActive }\n    }\n  }\n": typeof types.WebAppRegisterDocument,
    "\n  mutation ConsoleRefreshSession($refreshToken: String!) {\n    refreshSession(refreshToken: $refreshToken) {\n      accessToken\n      refreshToken\n      accessTokenExpiresAt\n      user { id username email role isActive }\n    }\n  }\n": typeof types.ConsoleRefreshSessionDocument,
    "\n  mutation ConsoleLogout($refreshToken: String!) {\n    logout(refreshToken: $refreshToken)\n  }\n": typeof types.ConsoleLogoutDocument,
    "\n  query ConsoleMe {\n    me { id username email role isActive }\n  }\n": typeof types.ConsoleMeDocument,
    "\n  query WebAppSignInOptions {\n    signInOptions { oidcIssuers { key displayName startUrl } }\n  }\n": typeof types.WebAppSignInOptionsDocument,
    "\n  mutation WebAppCompleteOidcSignIn($code: String!) {\n    completeOidcSignIn(code: $code) {\n      accessToken\n      refreshToken\n      accessTokenExpiresAt\n      user { id username email role isActive }\n    }\n  }\n": typeof types.WebAppCompleteOidcSignInDocument,
    "\n  fragment UserFields on User {\n    id\n    username\n    email\n    emailVerified\n    role\n    isActive\n    createdAt\n    quota {\n      monthlyAudioMinutes\n      usedAudioSecondsThisMonth\n      reservedAudioSeconds\n      remainingAudioSeconds\n      resetsAt\n    }\n  }\n": typeof types.UserFieldsFragmentDoc,
    "\n  query AdminUsers($first: Int, $after: String, $search: String, $role: Role, $active: Boolean, $orderBy: UserOrder) {\n    users(first: $first, after: $after, search: $search, role: $role, active: $active, orderBy: $orderBy) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { node { ...UserFields } }\n    }\n  }\n": typeof types.AdminUsersDocument,
    "\n  query AdminUserCursors($first: Int, $after: String, $search: String, $role: Role, $active: Boolean, $orderBy: UserOrder) {\n    users(first: $first, after: $after, search: $search, role: $role, active: $active, orderBy: $orderBy) {\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": typeof types.AdminUserCursorsDocument,
    "\n  query AdminUser($id: ID!) {\n    node(id: $id) {\n      ... on User {\n        ...UserFields\n        apiKeys { id name prefix scopes createdAt lastUsedAt expiresAt revokedAt }\n      }\n    }\n  }\n": typeof types.AdminUserDocument,
    "\n  query AdminUserBrief($id: ID!) {\n    node(id: $id) {\n      ... on User { ...UserFields }\n    }\n  }\n": typeof types.AdminUserBriefDocument,
    "\n  mutation AdminSetUserRole($userId: ID!, $role: Role!) {\n    setUserRole(userId: $userId, role: $role) { id }\n  }\n": typeof types.AdminSetUserRoleDocument,
    "\n  mutation AdminSetUserActive($userId: ID!, $active: Boolean!) {\n    setUserActive(userId: $userId, active: $active) { id }\n  }\n": typeof types.AdminSetUserActiveDocument,
    "\n  mutation AdminSetUserQuota($userId: ID!, $monthlyAudioMinutes: Int) {\n    setUserQuota(userId: $userId, monthlyAudioMinutes: $monthlyAudioMinutes) { id }\n  }\n": typeof types.AdminSetUserQuotaDocument,
    "\n  fragment JobListFields on Job {\n    id\n    status\n    progress\n    provider\n    model\n    filename\n    mediaDurationSeconds\n    error\n    attempts\n    createdAt\n    startedAt\n    completedAt\n    owner { id username }\n    project { id name }\n  }\n": typeof types.JobListFieldsFragmentDoc,
    "\n  query AdminJobs(\n    $first: Int\n    $after: String\n    $status: JobStatus\n    $provider: Provider\n    $userId: ID\n    $search: String\n    $from: DateTime\n    $to: DateTime\n  ) {\n    allJobs(first: $first, after: $after, status: $status, provider: $provider, userId: $userId, search: $search, from: $from, to: $to) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { node { ...JobListFields } }\n    }\n  }\n": typeof types.AdminJobsDocument,
    "\n  query AdminJobCursors(\n    $first: Int\n    $after: String\n    $status: JobStatus\n    $provider: Provider\n    $userId: ID\n    $search: String\n    $from: DateTime\n    $to: DateTime\n  ) {\n    allJobs(first: $first, after: $after, status: $status, provider: $provider, userId: $userId, search: $search, from: $from, to: $to) {\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": typeof types.AdminJobCursorsDocument,
    "\n  query AdminJob($id: ID!) {\n    job(id: $id) {\n      ...JobListFields\n      language\n      detectedLanguage\n      diarize\n      translateTo\n      text\n      translatedText\n      providers\n      currentProvider\n      events { at kind from to reason chunkIndex }\n      segments { index start end text speaker provider }\n    }\n  }\n": typeof types.AdminJobDocument,
    "\n  query AdminJobBrief($id: ID!) {\n    job(id: $id) { ...JobListFields }\n  }\n": typeof types.AdminJobBriefDocument,
    "\n  mutation AdminCancelJob($id: ID!) {\n    cancelJob(id: $id) { id status }\n  }\n": typeof types.AdminCancelJobDocument,
    "\n  mutation AdminRetryJob($id: ID!) {\n    retryJob(id: $id) { id status }\n  }\n": typeof types.AdminRetryJobDocument,
    "\n  mutation AdminDeleteJob($id: ID!) {\n    deleteJob(id: $id)\n  }\n": typeof types.AdminDeleteJobDocument,
    "\n  subscription AdminJobUpdated($id: ID!) {\n    jobUpdated(id: $id) { ...JobListFields currentProvider events { at kind from to reason chunkIndex } }\n  }\n": typeof types.AdminJobUpdatedDocument,
    "\n  subscription AdminTranscriptChunks($jobId: ID!) {\n    transcriptChunks(jobId: $jobId) {\n      isFinal\n      segment { index start end text speaker provider }\n    }\n  }\n": typeof types.AdminTranscriptChunksDocument,
    "\n  query AdminJobStats($from: DateTime, $to: DateTime) {\n    adminJobStats(from: $from, to: $to) {\n      total queued processing completed failed cancelled successRate audioSeconds\n    }\n  }\n": typeof types.AdminJobStatsDocument,
    "\n  fragment ProjectFields on Project {\n    id\n    name\n    description\n    createdAt\n    viewerRole\n    members { role joinedAt user { id username email } }\n    prompts(first: 1) { totalCount }\n  }\n": typeof types.ProjectFieldsFragmentDoc,
    "\n  query AdminProjects($first: Int, $after: String) {\n    projects(first: $first, after: $after) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { node { ...ProjectFields } }\n    }\n  }\n": typeof types.AdminProjectsDocument,
    "\n  query AdminProjectCursors($first: Int, $after: String) {\n    projects(first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": typeof types.AdminProjectCursorsDocument,
    "\n  query AdminProject($id: ID!) {\n    project(id: $id) { ...ProjectFields }\n  }\n": typeof types.AdminProjectDocument,
    "\n  query AdminProjectPrompts($id: ID!, $first: Int, $after: String) {\n    project(id: $id) {\n      id\n      prompts(first: $first, after: $after) {\n        totalCount\n        pageInfo { hasNextPage endCursor }\n        edges { node { id text recordingsCount approvedRecordingsCount } }\n      }\n    }\n  }\n": typeof types.AdminProjectPromptsDocument,
    "\n  query AdminProjectPromptCursors($id: ID!, $first: Int, $after: String) {\n    project(id: $id) {\n      id\n      prompts(first: $first, after: $after) {\n        pageInfo { hasNextPage endCursor }\n      }\n    }\n  }\n": typeof types.AdminProjectPromptCursorsDocument,
    "\n  mutation AdminUpdateProject($id: ID!, $input: UpdateProjectInput!) {\n    updateProject(id: $id, input: $input) { id }\n  }\n": typeof types.AdminUpdateProjectDocument,
    "\n  mutation AdminDeleteProject($id: ID!, $confirmName: String) {\n    deleteProject(id: $id, confirmName: $confirmName)\n  }\n": typeof types.AdminDeleteProjectDocument,
    "\n  query AdminUsage($from: DateTime, $to: DateTime, $groupBy: UsageGroupBy!) {\n    adminUsage(from: $from, to: $to, groupBy: $groupBy) { key jobs liveSessions audioSeconds costUsd }\n  }\n": typeof types.AdminUsageDocument,
    "\n  query AdminAuditLog($first: Int, $after: String, $actorId: ID, $action: String, $targetId: ID) {\n    auditLog(first: $first, after: $after, actorId: $actorId, action: $action, targetId: $targetId) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges {\n        node { id action targetType targetId requestId details createdAt actor { id username } }\n      }\n    }\n  }\n": typeof types.AdminAuditLogDocument,
    "\n  query AdminAuditCursors($first: Int, $after: String, $actorId: ID, $action: String, $targetId: ID) {\n    auditLog(first: $first, after: $after, actorId: $actorId, action: $action, targetId: $targetId) {\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": typeof types.AdminAuditCursorsDocument,
    "\n  query AdminAuditEntry($id: ID!) {\n    node(id: $id) {\n      ... on AuditEntry { id action targetType targetId requestId details createdAt actor { id username } }\n    }\n  }\n": typeof types.AdminAuditEntryDocument,
    "\n  fragment WebhookFields on WebhookEndpoint {\n    id url events enabled failureCount lastStatus lastError lastAttemptAt lastDeliveredAt disabledAt createdAt\n    project { id name }\n    owner { id username }\n  }\n": typeof types.WebhookFieldsFragmentDoc,
    "\n  query AdminWebhooks($allUsers: Boolean, $ownerId: ID, $enabled: Boolean) {\n    webhooks(allUsers: $allUsers, ownerId: $ownerId, enabled: $enabled) { ...WebhookFields }\n  }\n": typeof types.AdminWebhooksDocument,
    "\n  query AdminWebhook($id: ID!) {\n    node(id: $id) { ... on WebhookEndpoint { ...WebhookFields } }\n  }\n": typeof types.AdminWebhookDocument,
    "\n  mutation AdminEnableWebhook($id: ID!) {\n    enableWebhook(id: $id) { id enabled }\n  }\n": typeof types.AdminEnableWebhookDocument,
    "\n  mutation AdminDeleteWebhook($id: ID!) {\n    deleteWebhook(id: $id)\n  }\n": typeof types.AdminDeleteWebhookDocument,
    "\n  query AdminOutbox($first: Int, $after: String, $unsent: Boolean) {\n    outbox(first: $first, after: $after, unsent: $unsent) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { node { id to subject body error sentAt createdAt } }\n    }\n  }\n": typeof types.AdminOutboxDocument,
    "\n  query AdminOutboxCursors($first: Int, $after: String, $unsent: Boolean) {\n    outbox(first: $first, after: $after, unsent: $unsent) {\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": typeof types.AdminOutboxCursorsDocument,
    "\n  fragment RecordingFields on Recording {\n    id\n    durationSeconds\n    recognisedText\n    suspicious\n    checks {\n      tooShort\n      mostlySilence\n      tooQuiet\n      clipped\n      wordErrorRate\n      wordErrorRateHigh\n      silenceRatio\n      meanVolumeDb\n      maxVolumeDb\n      clippedRatio\n    }\n    lightAudioUrl\n    subtitlesUrl\n    reviewStatus\n    reviewNote\n    reviewedAt\n    reviewedBy { id username }\n    createdAt\n    speaker { id username }\n    prompt { id text }\n    session { id }\n  }\n": typeof types.RecordingFieldsFragmentDoc,
    "\n  query AdminProjectRecordings($id: ID!, $first: Int, $after: String, $reviewStatus: ReviewStatus) {\n    project(id: $id) {\n      id\n      recordings(first: $first, after: $after, reviewStatus: $reviewStatus) {\n        totalCount\n        pageInfo { hasNextPage endCursor }\n        edges { node { ...RecordingFields } }\n      }\n    }\n  }\n": typeof types.AdminProjectRecordingsDocument,
    "\n  query AdminProjectRecordingCursors($id: ID!, $first: Int, $after: String, $reviewStatus: ReviewStatus) {\n    project(id: $id) {\n      id\n      recordings(first: $first, after: $after, reviewStatus: $reviewStatus) {\n        pageInfo { hasNextPage endCursor }\n      }\n    }\n  }\n": typeof types.AdminProjectRecordingCursorsDocument,
    "\n  mutation AdminReviewRecording($id: ID!, $status: ReviewStatus!, $note: String) {\n    reviewRecording(id: $id, status: $status, note: $note) { ...RecordingFields }\n  }\n": typeof types.AdminReviewRecordingDocument,
    "\n  fragment DatasetExportFields on DatasetExport {\n    id\n    status\n    progress\n    recordings\n    sizeBytes\n    downloadUrl\n    error\n    createdAt\n    finishedAt\n  }\n": typeof types.DatasetExportFieldsFragmentDoc,
    "\n  query AdminProjectExports($id: ID!) {\n    project(id: $id) {\n      id\n      exports { ...DatasetExportFields }\n    }\n  }\n": typeof types.AdminProjectExportsDocument,
    "\n  mutation AdminExportDataset($projectId: ID!) {\n    exportDataset(projectId: $projectId) { ...DatasetExportFields }\n  }\n": typeof types.AdminExportDatasetDocument,
    "\n  query RecordNextPrompt($projectId: ID!) {\n    project(id: $projectId) {\n      id\n      name\n      viewerRole\n      prompts(first: 1) { totalCount }\n    }\n    nextPrompt(projectId: $projectId) { id text }\n  }\n": typeof types.RecordNextPromptDocument,
    "\n  query RecordMyRecordings($projectId: ID!, $speakerId: ID!, $first: Int) {\n    project(id: $projectId) {\n      id\n      recordings(first: $first, speakerId: $speakerId) {\n        totalCount\n        edges {\n          node {\n            id\n            createdAt\n            durationSeconds\n            reviewStatus\n            reviewNote\n            prompt { id text }\n            checks { wordErrorRate }\n          }\n        }\n      }\n    }\n  }\n": typeof types.RecordMyRecordingsDocument,
    "\n  mutation RecordStartSession($input: StartLiveSessionInput!) {\n    startLiveSession(input: $input) { id nextSeq }\n  }\n": typeof types.RecordStartSessionDocument,
    "\n  mutation RecordAppendAudio($sessionId: ID!, $seq: Int!, $chunk: String!) {\n    appendLiveAudio(sessionId: $sessionId, seq: $seq, chunk: $chunk)\n  }\n": typeof types.RecordAppendAudioDocument,
    "\n  query RecordSessionSeq($id: ID!) {\n    liveSession(id: $id) { id status nextSeq }\n  }\n": typeof types.RecordSessionSeqDocument,
    "\n  mutation RecordEndSession($id: ID!) {\n    endLiveSession(id: $id) { id status }\n  }\n": typeof types.RecordEndSessionDocument,
    "\n  mutation RecordDiscardSession($id: ID!) {\n    discardLiveSession(id: $id)\n  }\n": typeof types.RecordDiscardSessionDocument,
    "\n  subscription RecordTranscript($sessionId: ID!) {\n    transcriptChunks(sessionId: $sessionId) {\n      isFinal\n      segment { index text }\n    }\n  }\n": typeof types.RecordTranscriptDocument,
    "\n  mutation ProjectInviteMember($projectId: ID!, $email: String!, $role: ProjectRole!) {\n    inviteMember(projectId: $projectId, email: $email, role: $role)\n  }\n": typeof types.ProjectInviteMemberDocument,
    "\n  mutation ProjectSetMemberRole($projectId: ID!, $userId: ID!, $role: ProjectRole!) {\n    setMemberRole(projectId: $projectId, userId: $userId, role: $role) { role user { id } }\n  }\n": typeof types.ProjectSetMemberRoleDocument,
    "\n  mutation ProjectRemoveMember($projectId: ID!, $userId: ID!) {\n    removeMember(projectId: $projectId, userId: $userId)\n  }\n": typeof types.ProjectRemoveMemberDocument,
    "\n  mutation ProjectAddPrompts($projectId: ID!, $texts: [String!]!) {\n    addPrompts(projectId: $projectId, texts: $texts) { id text }\n  }\n": typeof types.ProjectAddPromptsDocument,
    "\n  query MyJobs($first: Int, $after: String, $status: JobStatus, $search: String, $from: DateTime, $to: DateTime) {\n    jobs(first: $first, after: $after, status: $status, search: $search, from: $from, to: $to) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { node { ...JobListFields } }\n    }\n  }\n": typeof types.MyJobsDocument,
    "\n  query MyJobCursors($first: Int, $after: String, $status: JobStatus, $search: String, $from: DateTime, $to: DateTime) {\n    jobs(first: $first, after: $after, status: $status, search: $search, from: $from, to: $to) {\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": typeof types.MyJobCursorsDocument,
    "\n  subscription MyJobUpdated {\n    myJobUpdated { ...JobListFields }\n  }\n": typeof types.MyJobUpdatedDocument,
    "\n  mutation WebAppCreateJob($input: CreateTranscriptionJobInput!) {\n    createTranscriptionJob(input: $input) { ...JobListFields }\n  }\n": typeof types.WebAppCreateJobDocument,
    "\n  query AccountMe($from: DateTime, $to: DateTime) {\n    me {\n      id\n      username\n      email\n      role\n      quota { monthlyAudioMinutes usedAudioSecondsThisMonth reservedAudioSeconds remainingAudioSeconds resetsAt }\n    }\n    byDay: usage(from: $from, to: $to, groupBy: DAY) { key jobs liveSessions audioSeconds costUsd }\n    byProvider: usage(from: $from, to: $to, groupBy: PROVIDER) { key jobs liveSessions audioSeconds costUsd }\n  }\n": typeof types.AccountMeDocument,
    "\n  fragment ApiKeyFields on ApiKey { id name prefix scopes createdAt lastUsedAt expiresAt revokedAt }\n": typeof types.ApiKeyFieldsFragmentDoc,
    "\n  query AccountApiKeys {\n    apiKeys { ...ApiKeyFields }\n  }\n": typeof types.AccountApiKeysDocument,
    "\n  mutation AccountCreateApiKey($input: CreateApiKeyInput!) {\n    createApiKey(input: $input) { secret apiKey { ...ApiKeyFields } }\n  }\n": typeof types.AccountCreateApiKeyDocument,
    "\n  mutation AccountRevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id) { ...ApiKeyFields }\n  }\n": typeof types.AccountRevokeApiKeyDocument,
    "\n  query AccountProviderKeys {\n    providerKeys { id provider name last4 createdAt lastUsedAt }\n  }\n": typeof types.AccountProviderKeysDocument,
    "\n  mutation AccountSetProviderKey($input: SetProviderKeyInput!) {\n    setProviderKey(input: $input) { id provider name last4 createdAt lastUsedAt }\n  }\n": typeof types.AccountSetProviderKeyDocument,
    "\n  mutation AccountDeleteProviderKey($id: ID!) {\n    deleteProviderKey(id: $id)\n  }\n": typeof types.AccountDeleteProviderKeyDocument,
    "\n  query AccountWebhooks {\n    webhooks { ...WebhookFields }\n    projects(first: 100) { edges { node { id name viewerRole } } }\n  }\n": typeof types.AccountWebhooksDocument,
    "\n  mutation AccountCreateWebhook($input: CreateWebhookInput!) {\n    createWebhook(input: $input) { secret webhook { ...WebhookFields } }\n  }\n": typeof types.AccountCreateWebhookDocument,
    "\n  query AdminDashboard($from: DateTime, $bucket: TimelineBucketSize) {\n    adminJobStats { total queued processing completed failed cancelled successRate audioSeconds }\n    adminJobTimeline(from: $from, bucket: $bucket) {\n      start submitted completed failed cancelled queued processing busySeconds busyWorkers\n    }\n    adminJobRunners { id workers seenAt alive }\n  }\n": typeof types.AdminDashboardDocument,
    "\n  fragment TranscriptViewFields on Job {\n    id\n    status\n    filename\n    revision\n    mediaUrl\n    mediaType\n    owner { id username }\n    segments { index start end text speaker speakerName provider words { word start end } }\n    speakers { speaker name displayName }\n    revisions { number createdAt segmentIndex before after author { id username } }\n  }\n": typeof types.TranscriptViewFieldsFragmentDoc,
    "\n  query TranscriptView($id: ID!) {\n    job(id: $id) { ...TranscriptViewFields }\n  }\n": typeof types.TranscriptViewDocument,
    "\n  mutation TranscriptEditSegment($input: EditTranscriptSegmentInput!) {\n    editTranscriptSegment(input: $input) { ...TranscriptViewFields }\n  }\n": typeof types.TranscriptEditSegmentDocument,
    "\n  mutation TranscriptRenameSpeaker($input: RenameSpeakerInput!) {\n    renameSpeaker(input: $input) { ...TranscriptViewFields }\n  }\n": typeof types.TranscriptRenameSpeakerDocument,
    "\n  fragment PasskeyFields on Passkey { id name createdAt lastUsedAt deviceType backedUp transports }\n": typeof types.PasskeyFieldsFragmentDoc,
    "\n  query AccountPasskeys {\n    myPasskeys { ...PasskeyFields }\n  }\n": typeof types.AccountPasskeysDocument,
    "\n  mutation AccountPasskeyRegistrationOptions {\n    passkeyRegistrationOptions\n  }\n": typeof types.AccountPasskeyRegistrationOptionsDocument,
    "\n  mutation AccountRegisterPasskey($name: String!, $response: String!) {\n    registerPasskey(name: $name, response: $response) { ...PasskeyFields }\n  }\n": typeof types.AccountRegisterPasskeyDocument,
    "\n  mutation AccountRenamePasskey($id: ID!, $name: String!) {\n    renamePasskey(id: $id, name: $name) { ...PasskeyFields }\n  }\n": typeof types.AccountRenamePasskeyDocument,
    "\n  mutation AccountDeletePasskey($id: ID!, $password: String) {\n    deletePasskey(id: $id, password: $password) { id }\n  }\n": typeof types.AccountDeletePasskeyDocument,
    "\n  mutation WebAppPasskeyLoginOptions($challenge: String) {\n    passkeyLoginOptions(challenge: $challenge)\n  }\n": typeof types.WebAppPasskeyLoginOptionsDocument,
    "\n  mutation WebAppLoginWithPasskey($response: String!) {\n    loginWithPasskey(response: $response) {\n      accessToken\n      refreshToken\n      accessTokenExpiresAt\n      user { id username email role isActive }\n    }\n  }\n": typeof types.WebAppLoginWithPasskeyDocument,
    "\n  mutation WebAppRequestPasswordReset($email: String!) {\n    requestPasswordReset(email: $email)\n  }\n": typeof types.WebAppRequestPasswordResetDocument,
    "\n  mutation WebAppResetPassword($token: String!, $newPassword: String!) {\n    resetPassword(token: $token, newPassword: $newPassword)\n  }\n": typeof types.WebAppResetPasswordDocument,
    "\n  mutation WebAppChangePassword($input: ChangePasswordInput!) {\n    changePassword(input: $input) {\n      accessToken\n      refreshToken\n      accessTokenExpiresAt\n      user { id username email role isActive }\n    }\n  }\n": typeof types.WebAppChangePasswordDocument,
    "\n  query WebAppRegistrationPolicy {\n    registrationPolicy { mode allowedDomains emailVerificationRequired }\n  }\n": typeof types.WebAppRegistrationPolicyDocument,
    "\n  query WebAppMyVerification {\n    me { id email emailVerified }\n    registrationPolicy { emailVerificationRequired }\n  }\n": typeof types.WebAppMyVerificationDocument,
    "\n  mutation WebAppVerifyEmail($token: String!) {\n    verifyEmail(token: $token) { email }\n  }\n": typeof types.WebAppVerifyEmailDocument,
    "\n  mutation WebAppResendVerification {\n    resendVerification\n  }\n": typeof types.WebAppResendVerificationDocument,
    "\n  query WebAppRerunSettings($id: ID!) {\n    job(id: $id) {\n      id\n      providers\n      model\n      language\n      diarize\n      translateTo\n      translationEngine\n      sentimentRequested\n      summaryRequested\n    }\n  }\n": typeof types.WebAppRerunSettingsDocument,
    "\n  mutation WebAppRerunJob($id: ID!, $input: RerunJobInput) {\n    rerunJob(id: $id, input: $input) { id status }\n  }\n": typeof types.WebAppRerunJobDocument,
    "\n  query WebAppRerunOf($id: ID!) {\n    job(id: $id) { id rerunOf { id filename } }\n  }\n": typeof types.WebAppRerunOfDocument,
    "\n  query WebAppJobRedaction($id: ID!) {\n    job(id: $id) {\n      id\n      redact\n      transcriptRedacted\n      redactedRanges { start end }\n      segments(redacted: true) { index start end text speakerName }\n    }\n  }\n": typeof types.WebAppJobRedactionDocument,
    "\n  query WebAppProjectRedaction($id: ID!) {\n    project(id: $id) {\n      id\n      viewerRole\n      redact\n      redactionMandatory\n    }\n  }\n": typeof types.WebAppProjectRedactionDocument,
    "\n  mutation WebAppSetProjectRedactionPolicy($projectId: ID!, $redact: [RedactionKind!]!, $mandatory: Boolean!) {\n    setProjectRedactionPolicy(projectId: $projectId, redact: $redact, mandatory: $mandatory) {\n      id\n      redact\n      redactionMandatory\n    }\n  }\n": typeof types.WebAppSetProjectRedactionPolicyDocument,
    "\n  query WebAppJobSummary($id: ID!) {\n    job(id: $id) {\n      id\n      status\n      revision\n      summaryStatus\n      summaryError\n      summary {\n        text\n        model\n        revision\n        keyPoints { text segmentIndexes ranges { start end } }\n        actionItems { text segmentIndexes ranges { start end } }\n      }\n    }\n  }\n": typeof types.WebAppJobSummaryDocument,
    "\n  mutation WebAppSummarizeJob($jobId: ID!) {\n    summarizeJob(jobId: $jobId) { id summaryStatus summaryError }\n  }\n": typeof types.WebAppSummarizeJobDocument,
    "\n  mutation WebAppAskTranscript($jobId: ID!, $question: String!) {\n    askTranscript(jobId: $jobId, question: $question) {\n      question\n      answer\n      citations { segmentIndex start end text }\n    }\n  }\n": typeof types.WebAppAskTranscriptDocument,
    "\n  query WebAppVocabularySets($projectId: ID) {\n    vocabularySets(first: 100, projectId: $projectId) {\n      edges {\n        node {\n          id\n          name\n          terms\n          termCount\n          personal\n          projectDefault\n          project { id name }\n        }\n      }\n    }\n  }\n": typeof types.WebAppVocabularySetsDocument,
    "\n  mutation WebAppCreateVocabularySet($input: CreateVocabularySetInput!) {\n    createVocabularySet(input: $input) { id name termCount }\n  }\n": typeof types.WebAppCreateVocabularySetDocument,
    "\n  mutation WebAppUpdateVocabularySet($id: ID!, $input: UpdateVocabularySetInput!) {\n    updateVocabularySet(id: $id, input: $input) { id name terms termCount }\n  }\n": typeof types.WebAppUpdateVocabularySetDocument,
    "\n  mutation WebAppDeleteVocabularySet($id: ID!) {\n    deleteVocabularySet(id: $id)\n  }\n": typeof types.WebAppDeleteVocabularySetDocument,
    "\n  mutation WebAppSetProjectDefaultVocabularySets($projectId: ID!, $ids: [ID!]!) {\n    setProjectDefaultVocabularySets(projectId: $projectId, vocabularySetIds: $ids) { id defaultVocabularySets { id } }\n  }\n": typeof types.WebAppSetProjectDefaultVocabularySetsDocument,
    "\n  query WebAppProjectVocabulary($id: ID!) {\n    project(id: $id) { id viewerRole }\n  }\n": typeof types.WebAppProjectVocabularyDocument,
    "\n  query WebAppJobVocabulary($id: ID!) {\n    job(id: $id) {\n      id\n      vocabularyTerms\n      contextPrompt\n      vocabularyApplied { ...WebAppVocabularyApplication }\n    }\n  }\n": typeof types.WebAppJobVocabularyDocument,
    "\n  fragment WebAppVocabularyApplication on VocabularyApplication {\n    provider\n    termsApplied\n    termsNotApplied { term reason }\n    contextPromptPassed\n    truncated\n    notes\n  }\n": typeof types.WebAppVocabularyApplicationFragmentDoc,
    "\n  query WebAppLiveSessionVocabulary($id: ID!) {\n    liveSession(id: $id) {\n      id\n      status\n      vocabularyTerms\n      contextPrompt\n      vocabularyApplied { ...WebAppVocabularyApplication }\n      segments { index text }\n    }\n  }\n": typeof types.WebAppLiveSessionVocabularyDocument,
};
const documents: Documents = {
    "\n  mutation WebAppDeleteAccount($input: DeleteAccountInput!) {\n    deleteAccount(input: $input)\n  }\n": types.WebAppDeleteAccountDocument,
    "\n  mutation AdminDeleteUser($id: ID!) {\n    adminDeleteUser(id: $id)\n  }\n": types.AdminDeleteUserDocument,
    "\n  mutation WebAppCompleteLogin($input: CompleteLoginInput!) {\n    completeLogin(input: $input) {\n      accessToken\n      refreshToken\n      accessTokenExpiresAt\n      user { id username email role isActive }\n    }\n  }\n": types.WebAppCompleteLoginDocument,
    "\n  query WebAppMyTwoFactor {\n    me { id mfaEnabled secondFactors recoveryCodesRemaining }\n  }\n": types.WebAppMyTwoFactorDocument,
    "\n  mutation WebAppEnrollTotp {\n    enrollTotp { secret uri }\n  }\n": types.WebAppEnrollTotpDocument,
    "\n  mutation WebAppConfirmTotp($code: String!) {\n    confirmTotp(code: $code)\n  }\n": types.WebAppConfirmTotpDocument,
    "\n  mutation WebAppRegenerateRecoveryCodes($code: String!) {\n    regenerateRecoveryCodes(code: $code)\n  }\n": types.WebAppRegenerateRecoveryCodesDocument,
    "\n  mutation WebAppDisableTotp($input: DisableTotpInput!) {\n    disableTotp(input: $input) { id mfaEnabled }\n  }\n": types.WebAppDisableTotpDocument,
    "\n  mutation ConsoleLogin($input: LoginInput!) {\n    login(input: $input) {\n      accessToken\n      refreshToken\n      accessTokenExpiresAt\n      user { id username email role isActive }\n    }\n  }\n": types.ConsoleLoginDocument,
    "\n  mutation WebAppRegister($input: RegisterInput!) {\n    register(input: $input) {\n      accessToken\n      refreshToken\n      accessTokenExpiresAt\n      user { id username email role isActive }\n    }\n  }\n": types.WebAppRegisterDocument,
    "\n  mutation ConsoleRefreshSession($refreshToken: String!) {\n    refreshSession(refreshToken: $refreshToken) {\n      accessToken\n      refreshToken\n      accessTokenExpiresAt\n      user { id username email role isActive }\n    }\n  }\n": types.ConsoleRefreshSessionDocument,
    "\n  mutation ConsoleLogout($refreshToken: String!) {\n    logout(refreshToken: $refreshToken)\n  }\n": types.ConsoleLogoutDocument,
    "\n  query ConsoleMe {\n    me { id username email role isActive }\n  }\n": types.ConsoleMeDocument,
    "\n  query WebAppSignInOptions {\n    signInOptions { oidcIssuers { key displayName startUrl } }\n  }\n": types.WebAppSignInOptionsDocument,
    "\n  mutation WebAppCompleteOidcSignIn($code: String!) {\n    completeOidcSignIn(code: $code) {\n      accessToken\n      refreshToken\n      accessTokenExpiresAt\n      user { id username email role isActive }\n    }\n  }\n": types.WebAppCompleteOidcSignInDocument,
    "\n  fragment UserFields on User {\n    id\n    username\n    email\n    emailVerified\n    role\n    isActive\n    createdAt\n    quota {\n      monthlyAudioMinutes\n      usedAudioSecondsThisMonth\n      reservedAudioSeconds\n      remainingAudioSeconds\n      resetsAt\n    }\n  }\n": types.UserFieldsFragmentDoc,
    "\n  query AdminUsers($first: Int, $after: String, $search: String, $role: Role, $active: Boolean, $orderBy: UserOrder) {\n    users(first: $first, after: $after, search: $search, role: $role, active: $active, orderBy: $orderBy) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { node { ...UserFields } }\n    }\n  }\n": types.AdminUsersDocument,
    "\n  query AdminUserCursors($first: Int, $after: String, $search: String, $role: Role, $active: Boolean, $orderBy: UserOrder) {\n    users(first: $first, after: $after, search: $search, role: $role, active: $active, orderBy: $orderBy) {\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": types.AdminUserCursorsDocument,
    "\n  query AdminUser($id: ID!) {\n    node(id: $id) {\n      ... on User {\n        ...UserFields\n        apiKeys { id name prefix scopes createdAt lastUsedAt expiresAt revokedAt }\n      }\n    }\n  }\n": types.AdminUserDocument,
    "\n  query AdminUserBrief($id: ID!) {\n    node(id: $id) {\n      ... on User { ...UserFields }\n    }\n  }\n": types.AdminUserBriefDocument,
    "\n  mutation AdminSetUserRole($userId: ID!, $role: Role!) {\n    setUserRole(userId: $userId, role: $role) { id }\n  }\n": types.AdminSetUserRoleDocument,
    "\n  mutation AdminSetUserActive($userId: ID!, $active: Boolean!) {\n    setUserActive(userId: $userId, active: $active) { id }\n  }\n": types.AdminSetUserActiveDocument,
    "\n  mutation AdminSetUserQuota($userId: ID!, $monthlyAudioMinutes: Int) {\n    setUserQuota(userId: $userId, monthlyAudioMinutes: $monthlyAudioMinutes) { id }\n  }\n": types.AdminSetUserQuotaDocument,
    "\n  fragment JobListFields on Job {\n    id\n    status\n    progress\n    provider\n    model\n    filename\n    mediaDurationSeconds\n    error\n    attempts\n    createdAt\n    startedAt\n    completedAt\n    owner { id username }\n    project { id name }\n  }\n": types.JobListFieldsFragmentDoc,
    "\n  query AdminJobs(\n    $first: Int\n    $after: String\n    $status: JobStatus\n    $provider: Provider\n    $userId: ID\n    $search: String\n    $from: DateTime\n    $to: DateTime\n  ) {\n    allJobs(first: $first, after: $after, status: $status, provider: $provider, userId: $userId, search: $search, from: $from, to: $to) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { node { ...JobListFields } }\n    }\n  }\n": types.AdminJobsDocument,
    "\n  query AdminJobCursors(\n    $first: Int\n    $after: String\n    $status: JobStatus\n    $provider: Provider\n    $userId: ID\n    $search: String\n    $from: DateTime\n    $to: DateTime\n  ) {\n    allJobs(first: $first, after: $after, status: $status, provider: $provider, userId: $userId, search: $search, from: $from, to: $to) {\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": types.AdminJobCursorsDocument,
    "\n  query AdminJob($id: ID!) {\n    job(id: $id) {\n      ...JobListFields\n      language\n      detectedLanguage\n      diarize\n      translateTo\n      text\n      translatedText\n      providers\n      currentProvider\n      events { at kind from to reason chunkIndex }\n      segments { index start end text speaker provider }\n    }\n  }\n": types.AdminJobDocument,
    "\n  query AdminJobBrief($id: ID!) {\n    job(id: $id) { ...JobListFields }\n  }\n": types.AdminJobBriefDocument,
    "\n  mutation AdminCancelJob($id: ID!) {\n    cancelJob(id: $id) { id status }\n  }\n": types.AdminCancelJobDocument,
    "\n  mutation AdminRetryJob($id: ID!) {\n    retryJob(id: $id) { id status }\n  }\n": types.AdminRetryJobDocument,
    "\n  mutation AdminDeleteJob($id: ID!) {\n    deleteJob(id: $id)\n  }\n": types.AdminDeleteJobDocument,
    "\n  subscription AdminJobUpdated($id: ID!) {\n    jobUpdated(id: $id) { ...JobListFields currentProvider events { at kind from to reason chunkIndex } }\n  }\n": types.AdminJobUpdatedDocument,
    "\n  subscription AdminTranscriptChunks($jobId: ID!) {\n    transcriptChunks(jobId: $jobId) {\n      isFinal\n      segment { index start end text speaker provider }\n    }\n  }\n": types.AdminTranscriptChunksDocument,
    "\n  query AdminJobStats($from: DateTime, $to: DateTime) {\n    adminJobStats(from: $from, to: $to) {\n      total queued processing completed failed cancelled successRate audioSeconds\n    }\n  }\n": types.AdminJobStatsDocument,
    "\n  fragment ProjectFields on Project {\n    id\n    name\n    description\n    createdAt\n    viewerRole\n    members { role joinedAt user { id username email } }\n    prompts(first: 1) { totalCount }\n  }\n": types.ProjectFieldsFragmentDoc,
    "\n  query AdminProjects($first: Int, $after: String) {\n    projects(first: $first, after: $after) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { node { ...ProjectFields } }\n    }\n  }\n": types.AdminProjectsDocument,
    "\n  query AdminProjectCursors($first: Int, $after: String) {\n    projects(first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": types.AdminProjectCursorsDocument,
    "\n  query AdminProject($id: ID!) {\n    project(id: $id) { ...ProjectFields }\n  }\n": types.AdminProjectDocument,
    "\n  query AdminProjectPrompts($id: ID!, $first: Int, $after: String) {\n    project(id: $id) {\n      id\n      prompts(first: $first, after: $after) {\n        totalCount\n        pageInfo { hasNextPage endCursor }\n        edges { node { id text recordingsCount approvedRecordingsCount } }\n      }\n    }\n  }\n": types.AdminProjectPromptsDocument,
    "\n  query AdminProjectPromptCursors($id: ID!, $first: Int, $after: String) {\n    project(id: $id) {\n      id\n      prompts(first: $first, after: $after) {\n        pageInfo { hasNextPage endCursor }\n      }\n    }\n  }\n": types.AdminProjectPromptCursorsDocument,
    "\n  mutation AdminUpdateProject($id: ID!, $input: UpdateProjectInput!) {\n    updateProject(id: $id, input: $input) { id }\n  }\n": types.AdminUpdateProjectDocument,
    "\n  mutation AdminDeleteProject($id: ID!, $confirmName: String) {\n    deleteProject(id: $id, confirmName: $confirmName)\n  }\n": types.AdminDeleteProjectDocument,
    "\n  query AdminUsage($from: DateTime, $to: DateTime, $groupBy: UsageGroupBy!) {\n    adminUsage(from: $from, to: $to, groupBy: $groupBy) { key jobs liveSessions audioSeconds costUsd }\n  }\n": types.AdminUsageDocument,
    "\n  query AdminAuditLog($first: Int, $after: String, $actorId: ID, $action: String, $targetId: ID) {\n    auditLog(first: $first, after: $after, actorId: $actorId, action: $action, targetId: $targetId) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges {\n        node { id action targetType targetId requestId details createdAt actor { id username } }\n      }\n    }\n  }\n": types.AdminAuditLogDocument,
    "\n  query AdminAuditCursors($first: Int, $after: String, $actorId: ID, $action: String, $targetId: ID) {\n    auditLog(first: $first, after: $after, actorId: $actorId, action: $action, targetId: $targetId) {\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": types.AdminAuditCursorsDocument,
    "\n  query AdminAuditEntry($id: ID!) {\n    node(id: $id) {\n      ... on AuditEntry { id action targetType targetId requestId details createdAt actor { id username } }\n    }\n  }\n": types.AdminAuditEntryDocument,
    "\n  fragment WebhookFields on WebhookEndpoint {\n    id url events enabled failureCount lastStatus lastError lastAttemptAt lastDeliveredAt disabledAt createdAt\n    project { id name }\n    owner { id username }\n  }\n": types.WebhookFieldsFragmentDoc,
    "\n  query AdminWebhooks($allUsers: Boolean, $ownerId: ID, $enabled: Boolean) {\n    webhooks(allUsers: $allUsers, ownerId: $ownerId, enabled: $enabled) { ...WebhookFields }\n  }\n": types.AdminWebhooksDocument,
    "\n  query AdminWebhook($id: ID!) {\n    node(id: $id) { ... on WebhookEndpoint { ...WebhookFields } }\n  }\n": types.AdminWebhookDocument,
    "\n  mutation AdminEnableWebhook($id: ID!) {\n    enableWebhook(id: $id) { id enabled }\n  }\n": types.AdminEnableWebhookDocument,
    "\n  mutation AdminDeleteWebhook($id: ID!) {\n    deleteWebhook(id: $id)\n  }\n": types.AdminDeleteWebhookDocument,
    "\n  query AdminOutbox($first: Int, $after: String, $unsent: Boolean) {\n    outbox(first: $first, after: $after, unsent: $unsent) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { node { id to subject body error sentAt createdAt } }\n    }\n  }\n": types.AdminOutboxDocument,
    "\n  query AdminOutboxCursors($first: Int, $after: String, $unsent: Boolean) {\n    outbox(first: $first, after: $after, unsent: $unsent) {\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": types.AdminOutboxCursorsDocument,
    "\n  fragment RecordingFields on Recording {\n    id\n    durationSeconds\n    recognisedText\n    suspicious\n    checks {\n      tooShort\n      mostlySilence\n      tooQuiet\n      clipped\n      wordErrorRate\n      wordErrorRateHigh\n      silenceRatio\n      meanVolumeDb\n      maxVolumeDb\n      clippedRatio\n    }\n    lightAudioUrl\n    subtitlesUrl\n    reviewStatus\n    reviewNote\n    reviewedAt\n    reviewedBy { id username }\n    createdAt\n    speaker { id username }\n    prompt { id text }\n    session { id }\n  }\n": types.RecordingFieldsFragmentDoc,
    "\n  query AdminProjectRecordings($id: ID!, $first: Int, $after: String, $reviewStatus: ReviewStatus) {\n    project(id: $id) {\n      id\n      recordings(first: $first, after: $after, reviewStatus: $reviewStatus) {\n        totalCount\n        pageInfo { hasNextPage endCursor }\n        edges { node { ...RecordingFields } }\n      }\n    }\n  }\n": types.AdminProjectRecordingsDocument,
    "\n  query AdminProjectRecordingCursors($id: ID!, $first: Int, $after: String, $reviewStatus: ReviewStatus) {\n    project(id: $id) {\n      id\n      recordings(first: $first, after: $after, reviewStatus: $reviewStatus) {\n        pageInfo { hasNextPage endCursor }\n      }\n    }\n  }\n": types.AdminProjectRecordingCursorsDocument,
    "\n  mutation AdminReviewRecording($id: ID!, $status: ReviewStatus!, $note: String) {\n    reviewRecording(id: $id, status: $status, note: $note) { ...RecordingFields }\n  }\n": types.AdminReviewRecordingDocument,
    "\n  fragment DatasetExportFields on DatasetExport {\n    id\n    status\n    progress\n    recordings\n    sizeBytes\n    downloadUrl\n    error\n    createdAt\n    finishedAt\n  }\n": types.DatasetExportFieldsFragmentDoc,
    "\n  query AdminProjectExports($id: ID!) {\n    project(id: $id) {\n      id\n      exports { ...DatasetExportFields }\n    }\n  }\n": types.AdminProjectExportsDocument,
    "\n  mutation AdminExportDataset($projectId: ID!) {\n    exportDataset(projectId: $projectId) { ...DatasetExportFields }\n  }\n": types.AdminExportDatasetDocument,
    "\n  query RecordNextPrompt($projectId: ID!) {\n    project(id: $projectId) {\n      id\n      name\n      viewerRole\n      prompts(first: 1) { totalCount }\n    }\n    nextPrompt(projectId: $projectId) { id text }\n  }\n": types.RecordNextPromptDocument,
    "\n  query RecordMyRecordings($projectId: ID!, $speakerId: ID!, $first: Int) {\n    project(id: $projectId) {\n      id\n      recordings(first: $first, speakerId: $speakerId) {\n        totalCount\n        edges {\n          node {\n            id\n            createdAt\n            durationSeconds\n            reviewStatus\n            reviewNote\n            prompt { id text }\n            checks { wordErrorRate }\n          }\n        }\n      }\n    }\n  }\n": types.RecordMyRecordingsDocument,
    "\n  mutation RecordStartSession($input: StartLiveSessionInput!) {\n    startLiveSession(input: $input) { id nextSeq }\n  }\n": types.RecordStartSessionDocument,
    "\n  mutation RecordAppendAudio($sessionId: ID!, $seq: Int!, $chunk: String!) {\n    appendLiveAudio(sessionId: $sessionId, seq: $seq, chunk: $chunk)\n  }\n": types.RecordAppendAudioDocument,
    "\n  query RecordSessionSeq($id: ID!) {\n    liveSession(id: $id) { id status nextSeq }\n  }\n": types.RecordSessionSeqDocument,
    "\n  mutation RecordEndSession($id: ID!) {\n    endLiveSession(id: $id) { id status }\n  }\n": types.RecordEndSessionDocument,
    "\n  mutation RecordDiscardSession($id: ID!) {\n    discardLiveSession(id: $id)\n  }\n": types.RecordDiscardSessionDocument,
    "\n  subscription RecordTranscript($sessionId: ID!) {\n    transcriptChunks(sessionId: $sessionId) {\n      isFinal\n      segment { index text }\n    }\n  }\n": types.RecordTranscriptDocument,
    "\n  mutation ProjectInviteMember($projectId: ID!, $email: String!, $role: ProjectRole!) {\n    inviteMember(projectId: $projectId, email: $email, role: $role)\n  }\n": types.ProjectInviteMemberDocument,
    "\n  mutation ProjectSetMemberRole($projectId: ID!, $userId: ID!, $role: ProjectRole!) {\n    setMemberRole(projectId: $projectId, userId: $userId, role: $role) { role user { id } }\n  }\n": types.ProjectSetMemberRoleDocument,
    "\n  mutation ProjectRemoveMember($projectId: ID!, $userId: ID!) {\n    removeMember(projectId: $projectId, userId: $userId)\n  }\n": types.ProjectRemoveMemberDocument,
    "\n  mutation ProjectAddPrompts($projectId: ID!, $texts: [String!]!) {\n    addPrompts(projectId: $projectId, texts: $texts) { id text }\n  }\n": types.ProjectAddPromptsDocument,
    "\n  query MyJobs($first: Int, $after: String, $status: JobStatus, $search: String, $from: DateTime, $to: DateTime) {\n    jobs(first: $first, after: $after, status: $status, search: $search, from: $from, to: $to) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { node { ...JobListFields } }\n    }\n  }\n": types.MyJobsDocument,
    "\n  query MyJobCursors($first: Int, $after: String, $status: JobStatus, $search: String, $from: DateTime, $to: DateTime) {\n    jobs(first: $first, after: $after, status: $status, search: $search, from: $from, to: $to) {\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": types.MyJobCursorsDocument,
    "\n  subscription MyJobUpdated {\n    myJobUpdated { ...JobListFields }\n  }\n": types.MyJobUpdatedDocument,
    "\n  mutation WebAppCreateJob($input: CreateTranscriptionJobInput!) {\n    createTranscriptionJob(input: $input) { ...JobListFields }\n  }\n": types.WebAppCreateJobDocument,
    "\n  query AccountMe($from: DateTime, $to: DateTime) {\n    me {\n      id\n      username\n      email\n      role\n      quota { monthlyAudioMinutes usedAudioSecondsThisMonth reservedAudioSeconds remainingAudioSeconds resetsAt }\n    }\n    byDay: usage(from: $from, to: $to, groupBy: DAY) { key jobs liveSessions audioSeconds costUsd }\n    byProvider: usage(from: $from, to: $to, groupBy: PROVIDER) { key jobs liveSessions audioSeconds costUsd }\n  }\n": types.AccountMeDocument,
    "\n  fragment ApiKeyFields on ApiKey { id name prefix scopes createdAt lastUsedAt expiresAt revokedAt }\n": types.ApiKeyFieldsFragmentDoc,
    "\n  query AccountApiKeys {\n    apiKeys { ...ApiKeyFields }\n  }\n": types.AccountApiKeysDocument,
    "\n  mutation AccountCreateApiKey($input: CreateApiKeyInput!) {\n    createApiKey(input: $input) { secret apiKey { ...ApiKeyFields } }\n  }\n": types.AccountCreateApiKeyDocument,
    "\n  mutation AccountRevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id) { ...ApiKeyFields }\n  }\n": types.AccountRevokeApiKeyDocument,
    "\n  query AccountProviderKeys {\n    providerKeys { id provider name last4 createdAt lastUsedAt }\n  }\n": types.AccountProviderKeysDocument,
    "\n  mutation AccountSetProviderKey($input: SetProviderKeyInput!) {\n    setProviderKey(input: $input) { id provider name last4 createdAt lastUsedAt }\n  }\n": types.AccountSetProviderKeyDocument,
    "\n  mutation AccountDeleteProviderKey($id: ID!) {\n    deleteProviderKey(id: $id)\n  }\n": types.AccountDeleteProviderKeyDocument,
    "\n  query AccountWebhooks {\n    webhooks { ...WebhookFields }\n    projects(first: 100) { edges { node { id name viewerRole } } }\n  }\n": types.AccountWebhooksDocument,
    "\n  mutation AccountCreateWebhook($input: CreateWebhookInput!) {\n    createWebhook(input: $input) { secret webhook { ...WebhookFields } }\n  }\n": types.AccountCreateWebhookDocument,
    "\n  query AdminDashboard($from: DateTime, $bucket: TimelineBucketSize) {\n    adminJobStats { total queued processing completed failed cancelled successRate audioSeconds }\n    adminJobTimeline(from: $from, bucket: $bucket) {\n      start submitted completed failed cancelled queued processing busySeconds busyWorkers\n    }\n    adminJobRunners { id workers seenAt alive }\n  }\n": types.AdminDashboardDocument,
    "\n  fragment TranscriptViewFields on Job {\n    id\n    status\n    filename\n    revision\n    mediaUrl\n    mediaType\n    owner { id username }\n    segments { index start end text speaker speakerName provider words { word start end } }\n    speakers { speaker name displayName }\n    revisions { number createdAt segmentIndex before after author { id username } }\n  }\n": types.TranscriptViewFieldsFragmentDoc,
    "\n  query TranscriptView($id: ID!) {\n    job(id: $id) { ...TranscriptViewFields }\n  }\n": types.TranscriptViewDocument,
    "\n  mutation TranscriptEditSegment($input: EditTranscriptSegmentInput!) {\n    editTranscriptSegment(input: $input) { ...TranscriptViewFields }\n  }\n": types.TranscriptEditSegmentDocument,
    "\n  mutation TranscriptRenameSpeaker($input: RenameSpeakerInput!) {\n    renameSpeaker(input: $input) { ...TranscriptViewFields }\n  }\n": types.TranscriptRenameSpeakerDocument,
    "\n  fragment PasskeyFields on Passkey { id name createdAt lastUsedAt deviceType backedUp transports }\n": types.PasskeyFieldsFragmentDoc,
    "\n  query AccountPasskeys {\n    myPasskeys { ...PasskeyFields }\n  }\n": types.AccountPasskeysDocument,
    "\n  mutation AccountPasskeyRegistrationOptions {\n    passkeyRegistrationOptions\n  }\n": types.AccountPasskeyRegistrationOptionsDocument,
    "\n  mutation AccountRegisterPasskey($name: String!, $response: String!) {\n    registerPasskey(name: $name, response: $response) { ...PasskeyFields }\n  }\n": types.AccountRegisterPasskeyDocument,
    "\n  mutation AccountRenamePasskey($id: ID!, $name: String!) {\n    renamePasskey(id: $id, name: $name) { ...PasskeyFields }\n  }\n": types.AccountRenamePasskeyDocument,
    "\n  mutation AccountDeletePasskey($id: ID!, $password: String) {\n    deletePasskey(id: $id, password: $password) { id }\n  }\n": types.AccountDeletePasskeyDocument,
    "\n  mutation WebAppPasskeyLoginOptions($challenge: String) {\n    passkeyLoginOptions(challenge: $challenge)\n  }\n": types.WebAppPasskeyLoginOptionsDocument,
    "\n  mutation WebAppLoginWithPasskey($response: String!) {\n    loginWithPasskey(response: $response) {\n      accessToken\n      refreshToken\n      accessTokenExpiresAt\n      user { id username email role isActive }\n    }\n  }\n": types.WebAppLoginWithPasskeyDocument,
    "\n  mutation WebAppRequestPasswordReset($email: String!) {\n    requestPasswordReset(email: $email)\n  }\n": types.WebAppRequestPasswordResetDocument,
    "\n  mutation WebAppResetPassword($token: String!, $newPassword: String!) {\n    resetPassword(token: $token, newPassword: $newPassword)\n  }\n": types.WebAppResetPasswordDocument,
    "\n  mutation WebAppChangePassword($input: ChangePasswordInput!) {\n    changePassword(input: $input) {\n      accessToken\n      refreshToken\n      accessTokenExpiresAt\n      user { id username email role isActive }\n    }\n  }\n": types.WebAppChangePasswordDocument,
    "\n  query WebAppRegistrationPolicy {\n    registrationPolicy { mode allowedDomains emailVerificationRequired }\n  }\n": types.WebAppRegistrationPolicyDocument,
    "\n  query WebAppMyVerification {\n    me { id email emailVerified }\n    registrationPolicy { emailVerificationRequired }\n  }\n": types.WebAppMyVerificationDocument,
    "\n  mutation WebAppVerifyEmail($token: String!) {\n    verifyEmail(token: $token) { email }\n  }\n": types.WebAppVerifyEmailDocument,
    "\n  mutation WebAppResendVerification {\n    resendVerification\n  }\n": types.WebAppResendVerificationDocument,
    "\n  query WebAppRerunSettings($id: ID!) {\n    job(id: $id) {\n      id\n      providers\n      model\n      language\n      diarize\n      translateTo\n      translationEngine\n      sentimentRequested\n      summaryRequested\n    }\n  }\n": types.WebAppRerunSettingsDocument,
    "\n  mutation WebAppRerunJob($id: ID!, $input: RerunJobInput) {\n    rerunJob(id: $id, input: $input) { id status }\n  }\n": types.WebAppRerunJobDocument,
    "\n  query WebAppRerunOf($id: ID!) {\n    job(id: $id) { id rerunOf { id filename } }\n  }\n": types.WebAppRerunOfDocument,
    "\n  query WebAppJobRedaction($id: ID!) {\n    job(id: $id) {\n      id\n      redact\n      transcriptRedacted\n      redactedRanges { start end }\n      segments(redacted: true) { index start end text speakerName }\n    }\n  }\n": types.WebAppJobRedactionDocument,
    "\n  query WebAppProjectRedaction($id: ID!) {\n    project(id: $id) {\n      id\n      viewerRole\n      redact\n      redactionMandatory\n    }\n  }\n": types.WebAppProjectRedactionDocument,
    "\n  mutation WebAppSetProjectRedactionPolicy($projectId: ID!, $redact: [RedactionKind!]!, $mandatory: Boolean!) {\n    setProjectRedactionPolicy(projectId: $projectId, redact: $redact, mandatory: $mandatory) {\n      id\n      redact\n      redactionMandatory\n    }\n  }\n": types.WebAppSetProjectRedactionPolicyDocument,
    "\n  query WebAppJobSummary($id: ID!) {\n    job(id: $id) {\n      id\n      status\n      revision\n      summaryStatus\n      summaryError\n      summary {\n        text\n        model\n        revision\n        keyPoints { text segmentIndexes ranges { start end } }\n        actionItems { text segmentIndexes ranges { start end } }\n      }\n    }\n  }\n": types.WebAppJobSummaryDocument,
    "\n  mutation WebAppSummarizeJob($jobId: ID!) {\n    summarizeJob(jobId: $jobId) { id summaryStatus summaryError }\n  }\n": types.WebAppSummarizeJobDocument,
    "\n  mutation WebAppAskTranscript($jobId: ID!, $question: String!) {\n    askTranscript(jobId: $jobId, question: $question) {\n      question\n      answer\n      citations { segmentIndex start end text }\n    }\n  }\n": types.WebAppAskTranscriptDocument,
    "\n  query WebAppVocabularySets($projectId: ID) {\n    vocabularySets(first: 100, projectId: $projectId) {\n      edges {\n        node {\n          id\n          name\n          terms\n          termCount\n          personal\n          projectDefault\n          project { id name }\n        }\n      }\n    }\n  }\n": types.WebAppVocabularySetsDocument,
    "\n  mutation WebAppCreateVocabularySet($input: CreateVocabularySetInput!) {\n    createVocabularySet(input: $input) { id name termCount }\n  }\n": types.WebAppCreateVocabularySetDocument,
    "\n  mutation WebAppUpdateVocabularySet($id: ID!, $input: UpdateVocabularySetInput!) {\n    updateVocabularySet(id: $id, input: $input) { id name terms termCount }\n  }\n": types.WebAppUpdateVocabularySetDocument,
    "\n  mutation WebAppDeleteVocabularySet($id: ID!) {\n    deleteVocabularySet(id: $id)\n  }\n": types.WebAppDeleteVocabularySetDocument,
    "\n  mutation WebAppSetProjectDefaultVocabularySets($projectId: ID!, $ids: [ID!]!) {\n    setProjectDefaultVocabularySets(projectId: $projectId, vocabularySetIds: $ids) { id defaultVocabularySets { id } }\n  }\n": types.WebAppSetProjectDefaultVocabularySetsDocument,
    "\n  query WebAppProjectVocabulary($id: ID!) {\n    project(id: $id) { id viewerRole }\n  }\n": types.WebAppProjectVocabularyDocument,
    "\n  query WebAppJobVocabulary($id: ID!) {\n    job(id: $id) {\n      id\n      vocabularyTerms\n      contextPrompt\n      vocabularyApplied { ...WebAppVocabularyApplication }\n    }\n  }\n": types.WebAppJobVocabularyDocument,
    "\n  fragment WebAppVocabularyApplication on VocabularyApplication {\n    provider\n    termsApplied\n    termsNotApplied { term reason }\n    contextPromptPassed\n    truncated\n    notes\n  }\n": types.WebAppVocabularyApplicationFragmentDoc,
    "\n  query WebAppLiveSessionVocabulary($id: ID!) {\n    liveSession(id: $id) {\n      id\n      status\n      vocabularyTerms\n      contextPrompt\n      vocabularyApplied { ...WebAppVocabularyApplication }\n      segments { index text }\n    }\n  }\n": types.WebAppLiveSessionVocabularyDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation WebAppDeleteAccount($input: DeleteAccountInput!) {\n    deleteAccount(input: $input)\n  }\n"): (typeof documents)["\n  mutation WebAppDeleteAccount($input: DeleteAccountInput!) {\n    deleteAccount(input: $input)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AdminDeleteUser($id: ID!) {\n    adminDeleteUser(id: $id)\n  }\n"): (typeof documents)["\n  mutation AdminDeleteUser($id: ID!) {\n    adminDeleteUser(id: $id)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation WebAppCompleteLogin($input: CompleteLoginInput!) {\n    completeLogin(input: $input) {\n      accessToken\n      refreshToken\n      accessTokenExpiresAt\n      user { id username email role isActive }\n    }\n  }\n"): (typeof documents)["\n  mutation WebAppCompleteLogin($input: CompleteLoginInput!) {\n    completeLogin(input: $input) {\n      accessToken\n      refreshToken\n      accessTokenExpiresAt\n      user { id username email role isActive }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WebAppMyTwoFactor {\n    me { id mfaEnabled secondFactors recoveryCodesRemaining }\n  }\n"): (typeof documents)["\n  query WebAppMyTwoFactor {\n    me { id mfaEnabled secondFactors recoveryCodesRemaining }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation WebAppEnrollTotp {\n    enrollTotp { secret uri }\n  }\n"): (typeof documents)["\n  mutation WebAppEnrollTotp {\n    enrollTotp { secret uri }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation WebAppConfirmTotp($code: String!) {\n    confirmTotp(code: $code)\n  }\n"): (typeof documents)["\n  mutation WebAppConfirmTotp($code: String!) {\n    confirmTotp(code: $code)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation WebAppRegenerateRecoveryCodes($code: String!) {\n    regenerateRecoveryCodes(code: $code)\n  }\n"): (typeof documents)["\n  mutation WebAppRegenerateRecoveryCodes($code: String!) {\n    regenerateRecoveryCodes(code: $code)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation WebAppDisableTotp($input: DisableTotpInput!) {\n    disableTotp(input: $input) { id mfaEnabled }\n  }\n"): (typeof documents)["\n  mutation WebAppDisableTotp($input: DisableTotpInput!) {\n    disableTotp(input: $input) { id mfaEnabled }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleLogin($input: LoginInput!) {\n    login(input: $input) {\n      accessToken\n      refreshToken\n      accessTokenExpiresAt\n      user { id username email role isActive }\n    }\n  }\n"): (typeof documents)["\n  mutation ConsoleLogin($input: LoginInput!) {\n    login(input: $input) {\n      accessToken\n      refreshToken\n      accessTokenExpiresAt\n      user { id username email role isActive }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation WebAppRegister($input: RegisterInput!) {\n    register(input: $input) {\n      accessToken\n      refreshToken\n      accessTokenExpiresAt\n      user { id username email role isActive }\n    }\n  }\n"): (typeof documents)["\n  mutation WebAppRegister($input: RegisterInput!) {\n    register(input: $input) {\n      accessToken\n      refreshToken\n      accessTokenExpiresAt\n      user { id username email role isActive }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleRefreshSession($refreshToken: String!) {\n    refreshSession(refreshToken: $refreshToken) {\n      accessToken\n      refreshToken\n      accessTokenExpiresAt\n      user { id username email role isActive }\n    }\n  }\n"): (typeof documents)["\n  mutation ConsoleRefreshSession($refreshToken: String!) {\n    refreshSession(refreshToken: $refreshToken) {\n      accessToken\n      refreshToken\n      accessTokenExpiresAt\n      user { id username email role isActive }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleLogout($refreshToken: String!) {\n    logout(refreshToken: $refreshToken)\n  }\n"): (typeof documents)["\n  mutation ConsoleLogout($refreshToken: String!) {\n    logout(refreshToken: $refreshToken)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleMe {\n    me { id username email role isActive }\n  }\n"): (typeof documents)["\n  query ConsoleMe {\n    me { id username email role isActive }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WebAppSignInOptions {\n    signInOptions { oidcIssuers { key displayName startUrl } }\n  }\n"): (typeof documents)["\n  query WebAppSignInOptions {\n    signInOptions { oidcIssuers { key displayName startUrl } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation WebAppCompleteOidcSignIn($code: String!) {\n    completeOidcSignIn(code: $code) {\n      accessToken\n      refreshToken\n      accessTokenExpiresAt\n      user { id username email role isActive }\n    }\n  }\n"): (typeof documents)["\n  mutation WebAppCompleteOidcSignIn($code: String!) {\n    completeOidcSignIn(code: $code) {\n      accessToken\n      refreshToken\n      accessTokenExpiresAt\n      user { id username email role isActive }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment UserFields on User {\n    id\n    username\n    email\n    emailVerified\n    role\n    isActive\n    createdAt\n    quota {\n      monthlyAudioMinutes\n      usedAudioSecondsThisMonth\n      reservedAudioSeconds\n      remainingAudioSeconds\n      resetsAt\n    }\n  }\n"): (typeof documents)["\n  fragment UserFields on User {\n    id\n    username\n    email\n    emailVerified\n    role\n    isActive\n    createdAt\n    quota {\n      monthlyAudioMinutes\n      usedAudioSecondsThisMonth\n      reservedAudioSeconds\n      remainingAudioSeconds\n      resetsAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AdminUsers($first: Int, $after: String, $search: String, $role: Role, $active: Boolean, $orderBy: UserOrder) {\n    users(first: $first, after: $after, search: $search, role: $role, active: $active, orderBy: $orderBy) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { node { ...UserFields } }\n    }\n  }\n"): (typeof documents)["\n  query AdminUsers($first: Int, $after: String, $search: String, $role: Role, $active: Boolean, $orderBy: UserOrder) {\n    users(first: $first, after: $after, search: $search, role: $role, active: $active, orderBy: $orderBy) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { node { ...UserFields } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AdminUserCursors($first: Int, $after: String, $search: String, $role: Role, $active: Boolean, $orderBy: UserOrder) {\n    users(first: $first, after: $after, search: $search, role: $role, active: $active, orderBy: $orderBy) {\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"): (typeof documents)["\n  query AdminUserCursors($first: Int, $after: String, $search: String, $role: Role, $active: Boolean, $orderBy: UserOrder) {\n    users(first: $first, after: $after, search: $search, role: $role, active: $active, orderBy: $orderBy) {\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AdminUser($id: ID!) {\n    node(id: $id) {\n      ... on User {\n        ...UserFields\n        apiKeys { id name prefix scopes createdAt lastUsedAt expiresAt revokedAt }\n      }\n    }\n  }\n"): (typeof documents)["\n  query AdminUser($id: ID!) {\n    node(id: $id) {\n      ... on User {\n        ...UserFields\n        apiKeys { id name prefix scopes createdAt lastUsedAt expiresAt revokedAt }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AdminUserBrief($id: ID!) {\n    node(id: $id) {\n      ... on User { ...UserFields }\n    }\n  }\n"): (typeof documents)["\n  query AdminUserBrief($id: ID!) {\n    node(id: $id) {\n      ... on User { ...UserFields }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AdminSetUserRole($userId: ID!, $role: Role!) {\n    setUserRole(userId: $userId, role: $role) { id }\n  }\n"): (typeof documents)["\n  mutation AdminSetUserRole($userId: ID!, $role: Role!) {\n    setUserRole(userId: $userId, role: $role) { id }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AdminSetUserActive($userId: ID!, $active: Boolean!) {\n    setUserActive(userId: $userId, active: $active) { id }\n  }\n"): (typeof documents)["\n  mutation AdminSetUserActive($userId: ID!, $active: Boolean!) {\n    setUserActive(userId: $userId, active: $active) { id }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AdminSetUserQuota($userId: ID!, $monthlyAudioMinutes: Int) {\n    setUserQuota(userId: $userId, monthlyAudioMinutes: $monthlyAudioMinutes) { id }\n  }\n"): (typeof documents)["\n  mutation AdminSetUserQuota($userId: ID!, $monthlyAudioMinutes: Int) {\n    setUserQuota(userId: $userId, monthlyAudioMinutes: $monthlyAudioMinutes) { id }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment JobListFields on Job {\n    id\n    status\n    progress\n    provider\n    model\n    filename\n    mediaDurationSeconds\n    error\n    attempts\n    createdAt\n    startedAt\n    completedAt\n    owner { id username }\n    project { id name }\n  }\n"): (typeof documents)["\n  fragment JobListFields on Job {\n    id\n    status\n    progress\n    provider\n    model\n    filename\n    mediaDurationSeconds\n    error\n    attempts\n    createdAt\n    startedAt\n    completedAt\n    owner { id username }\n    project { id name }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AdminJobs(\n    $first: Int\n    $after: String\n    $status: JobStatus\n    $provider: Provider\n    $userId: ID\n    $search: String\n    $from: DateTime\n    $to: DateTime\n  ) {\n    allJobs(first: $first, after: $after, status: $status, provider: $provider, userId: $userId, search: $search, from: $from, to: $to) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { node { ...JobListFields } }\n    }\n  }\n"): (typeof documents)["\n  query AdminJobs(\n    $first: Int\n    $after: String\n    $status: JobStatus\n    $provider: Provider\n    $userId: ID\n    $search: String\n    $from: DateTime\n    $to: DateTime\n  ) {\n    allJobs(first: $first, after: $after, status: $status, provider: $provider, userId: $userId, search: $search, from: $from, to: $to) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { node { ...JobListFields } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AdminJobCursors(\n    $first: Int\n    $after: String\n    $status: JobStatus\n    $provider: Provider\n    $userId: ID\n    $search: String\n    $from: DateTime\n    $to: DateTime\n  ) {\n    allJobs(first: $first, after: $after, status: $status, provider: $provider, userId: $userId, search: $search, from: $from, to: $to) {\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"): (typeof documents)["\n  query AdminJobCursors(\n    $first: Int\n    $after: String\n    $status: JobStatus\n    $provider: Provider\n    $userId: ID\n    $search: String\n    $from: DateTime\n    $to: DateTime\n  ) {\n    allJobs(first: $first, after: $after, status: $status, provider: $provider, userId: $userId, search: $search, from: $from, to: $to) {\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AdminJob($id: ID!) {\n    job(id: $id) {\n      ...JobListFields\n      language\n      detectedLanguage\n      diarize\n      translateTo\n      text\n      translatedText\n      providers\n      currentProvider\n      events { at kind from to reason chunkIndex }\n      segments { index start end text speaker provider }\n    }\n  }\n"): (typeof documents)["\n  query AdminJob($id: ID!) {\n    job(id: $id) {\n      ...JobListFields\n      language\n      detectedLanguage\n      diarize\n      translateTo\n      text\n      translatedText\n      providers\n      currentProvider\n      events { at kind from to reason chunkIndex }\n      segments { index start end text speaker provider }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AdminJobBrief($id: ID!) {\n    job(id: $id) { ...JobListFields }\n  }\n"): (typeof documents)["\n  query AdminJobBrief($id: ID!) {\n    job(id: $id) { ...JobListFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AdminCancelJob($id: ID!) {\n    cancelJob(id: $id) { id status }\n  }\n"): (typeof documents)["\n  mutation AdminCancelJob($id: ID!) {\n    cancelJob(id: $id) { id status }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AdminRetryJob($id: ID!) {\n    retryJob(id: $id) { id status }\n  }\n"): (typeof documents)["\n  mutation AdminRetryJob($id: ID!) {\n    retryJob(id: $id) { id status }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AdminDeleteJob($id: ID!) {\n    deleteJob(id: $id)\n  }\n"): (typeof documents)["\n  mutation AdminDeleteJob($id: ID!) {\n    deleteJob(id: $id)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription AdminJobUpdated($id: ID!) {\n    jobUpdated(id: $id) { ...JobListFields currentProvider events { at kind from to reason chunkIndex } }\n  }\n"): (typeof documents)["\n  subscription AdminJobUpdated($id: ID!) {\n    jobUpdated(id: $id) { ...JobListFields currentProvider events { at kind from to reason chunkIndex } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription AdminTranscriptChunks($jobId: ID!) {\n    transcriptChunks(jobId: $jobId) {\n      isFinal\n      segment { index start end text speaker provider }\n    }\n  }\n"): (typeof documents)["\n  subscription AdminTranscriptChunks($jobId: ID!) {\n    transcriptChunks(jobId: $jobId) {\n      isFinal\n      segment { index start end text speaker provider }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AdminJobStats($from: DateTime, $to: DateTime) {\n    adminJobStats(from: $from, to: $to) {\n      total queued processing completed failed cancelled successRate audioSeconds\n    }\n  }\n"): (typeof documents)["\n  query AdminJobStats($from: DateTime, $to: DateTime) {\n    adminJobStats(from: $from, to: $to) {\n      total queued processing completed failed cancelled successRate audioSeconds\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ProjectFields on Project {\n    id\n    name\n    description\n    createdAt\n    viewerRole\n    members { role joinedAt user { id username email } }\n    prompts(first: 1) { totalCount }\n  }\n"): (typeof documents)["\n  fragment ProjectFields on Project {\n    id\n    name\n    description\n    createdAt\n    viewerRole\n    members { role joinedAt user { id username email } }\n    prompts(first: 1) { totalCount }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AdminProjects($first: Int, $after: String) {\n    projects(first: $first, after: $after) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { node { ...ProjectFields } }\n    }\n  }\n"): (typeof documents)["\n  query AdminProjects($first: Int, $after: String) {\n    projects(first: $first, after: $after) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { node { ...ProjectFields } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AdminProjectCursors($first: Int, $after: String) {\n    projects(first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"): (typeof documents)["\n  query AdminProjectCursors($first: Int, $after: String) {\n    projects(first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AdminProject($id: ID!) {\n    project(id: $id) { ...ProjectFields }\n  }\n"): (typeof documents)["\n  query AdminProject($id: ID!) {\n    project(id: $id) { ...ProjectFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AdminProjectPrompts($id: ID!, $first: Int, $after: String) {\n    project(id: $id) {\n      id\n      prompts(first: $first, after: $after) {\n        totalCount\n        pageInfo { hasNextPage endCursor }\n        edges { node { id text recordingsCount approvedRecordingsCount } }\n      }\n    }\n  }\n"): (typeof documents)["\n  query AdminProjectPrompts($id: ID!, $first: Int, $after: String) {\n    project(id: $id) {\n      id\n      prompts(first: $first, after: $after) {\n        totalCount\n        pageInfo { hasNextPage endCursor }\n        edges { node { id text recordingsCount approvedRecordingsCount } }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AdminProjectPromptCursors($id: ID!, $first: Int, $after: String) {\n    project(id: $id) {\n      id\n      prompts(first: $first, after: $after) {\n        pageInfo { hasNextPage endCursor }\n      }\n    }\n  }\n"): (typeof documents)["\n  query AdminProjectPromptCursors($id: ID!, $first: Int, $after: String) {\n    project(id: $id) {\n      id\n      prompts(first: $first, after: $after) {\n        pageInfo { hasNextPage endCursor }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AdminUpdateProject($id: ID!, $input: UpdateProjectInput!) {\n    updateProject(id: $id, input: $input) { id }\n  }\n"): (typeof documents)["\n  mutation AdminUpdateProject($id: ID!, $input: UpdateProjectInput!) {\n    updateProject(id: $id, input: $input) { id }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AdminDeleteProject($id: ID!, $confirmName: String) {\n    deleteProject(id: $id, confirmName: $confirmName)\n  }\n"): (typeof documents)["\n  mutation AdminDeleteProject($id: ID!, $confirmName: String) {\n    deleteProject(id: $id, confirmName: $confirmName)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AdminUsage($from: DateTime, $to: DateTime, $groupBy: UsageGroupBy!) {\n    adminUsage(from: $from, to: $to, groupBy: $groupBy) { key jobs liveSessions audioSeconds costUsd }\n  }\n"): (typeof documents)["\n  query AdminUsage($from: DateTime, $to: DateTime, $groupBy: UsageGroupBy!) {\n    adminUsage(from: $from, to: $to, groupBy: $groupBy) { key jobs liveSessions audioSeconds costUsd }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AdminAuditLog($first: Int, $after: String, $actorId: ID, $action: String, $targetId: ID) {\n    auditLog(first: $first, after: $after, actorId: $actorId, action: $action, targetId: $targetId) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges {\n        node { id action targetType targetId requestId details createdAt actor { id username } }\n      }\n    }\n  }\n"): (typeof documents)["\n  query AdminAuditLog($first: Int, $after: String, $actorId: ID, $action: String, $targetId: ID) {\n    auditLog(first: $first, after: $after, actorId: $actorId, action: $action, targetId: $targetId) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges {\n        node { id action targetType targetId requestId details createdAt actor { id username } }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AdminAuditCursors($first: Int, $after: String, $actorId: ID, $action: String, $targetId: ID) {\n    auditLog(first: $first, after: $after, actorId: $actorId, action: $action, targetId: $targetId) {\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"): (typeof documents)["\n  query AdminAuditCursors($first: Int, $after: String, $actorId: ID, $action: String, $targetId: ID) {\n    auditLog(first: $first, after: $after, actorId: $actorId, action: $action, targetId: $targetId) {\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AdminAuditEntry($id: ID!) {\n    node(id: $id) {\n      ... on AuditEntry { id action targetType targetId requestId details createdAt actor { id username } }\n    }\n  }\n"): (typeof documents)["\n  query AdminAuditEntry($id: ID!) {\n    node(id: $id) {\n      ... on AuditEntry { id action targetType targetId requestId details createdAt actor { id username } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment WebhookFields on WebhookEndpoint {\n    id url events enabled failureCount lastStatus lastError lastAttemptAt lastDeliveredAt disabledAt createdAt\n    project { id name }\n    owner { id username }\n  }\n"): (typeof documents)["\n  fragment WebhookFields on WebhookEndpoint {\n    id url events enabled failureCount lastStatus lastError lastAttemptAt lastDeliveredAt disabledAt createdAt\n    project { id name }\n    owner { id username }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AdminWebhooks($allUsers: Boolean, $ownerId: ID, $enabled: Boolean) {\n    webhooks(allUsers: $allUsers, ownerId: $ownerId, enabled: $enabled) { ...WebhookFields }\n  }\n"): (typeof documents)["\n  query AdminWebhooks($allUsers: Boolean, $ownerId: ID, $enabled: Boolean) {\n    webhooks(allUsers: $allUsers, ownerId: $ownerId, enabled: $enabled) { ...WebhookFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AdminWebhook($id: ID!) {\n    node(id: $id) { ... on WebhookEndpoint { ...WebhookFields } }\n  }\n"): (typeof documents)["\n  query AdminWebhook($id: ID!) {\n    node(id: $id) { ... on WebhookEndpoint { ...WebhookFields } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AdminEnableWebhook($id: ID!) {\n    enableWebhook(id: $id) { id enabled }\n  }\n"): (typeof documents)["\n  mutation AdminEnableWebhook($id: ID!) {\n    enableWebhook(id: $id) { id enabled }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AdminDeleteWebhook($id: ID!) {\n    deleteWebhook(id: $id)\n  }\n"): (typeof documents)["\n  mutation AdminDeleteWebhook($id: ID!) {\n    deleteWebhook(id: $id)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AdminOutbox($first: Int, $after: String, $unsent: Boolean) {\n    outbox(first: $first, after: $after, unsent: $unsent) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { node { id to subject body error sentAt createdAt } }\n    }\n  }\n"): (typeof documents)["\n  query AdminOutbox($first: Int, $after: String, $unsent: Boolean) {\n    outbox(first: $first, after: $after, unsent: $unsent) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { node { id to subject body error sentAt createdAt } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AdminOutboxCursors($first: Int, $after: String, $unsent: Boolean) {\n    outbox(first: $first, after: $after, unsent: $unsent) {\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"): (typeof documents)["\n  query AdminOutboxCursors($first: Int, $after: String, $unsent: Boolean) {\n    outbox(first: $first, after: $after, unsent: $unsent) {\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment RecordingFields on Recording {\n    id\n    durationSeconds\n    recognisedText\n    suspicious\n    checks {\n      tooShort\n      mostlySilence\n      tooQuiet\n      clipped\n      wordErrorRate\n      wordErrorRateHigh\n      silenceRatio\n      meanVolumeDb\n      maxVolumeDb\n      clippedRatio\n    }\n    lightAudioUrl\n    subtitlesUrl\n    reviewStatus\n    reviewNote\n    reviewedAt\n    reviewedBy { id username }\n    createdAt\n    speaker { id username }\n    prompt { id text }\n    session { id }\n  }\n"): (typeof documents)["\n  fragment RecordingFields on Recording {\n    id\n    durationSeconds\n    recognisedText\n    suspicious\n    checks {\n      tooShort\n      mostlySilence\n      tooQuiet\n      clipped\n      wordErrorRate\n      wordErrorRateHigh\n      silenceRatio\n      meanVolumeDb\n      maxVolumeDb\n      clippedRatio\n    }\n    lightAudioUrl\n    subtitlesUrl\n    reviewStatus\n    reviewNote\n    reviewedAt\n    reviewedBy { id username }\n    createdAt\n    speaker { id username }\n    prompt { id text }\n    session { id }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AdminProjectRecordings($id: ID!, $first: Int, $after: String, $reviewStatus: ReviewStatus) {\n    project(id: $id) {\n      id\n      recordings(first: $first, after: $after, reviewStatus: $reviewStatus) {\n        totalCount\n        pageInfo { hasNextPage endCursor }\n        edges { node { ...RecordingFields } }\n      }\n    }\n  }\n"): (typeof documents)["\n  query AdminProjectRecordings($id: ID!, $first: Int, $after: String, $reviewStatus: ReviewStatus) {\n    project(id: $id) {\n      id\n      recordings(first: $first, after: $after, reviewStatus: $reviewStatus) {\n        totalCount\n        pageInfo { hasNextPage endCursor }\n        edges { node { ...RecordingFields } }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AdminProjectRecordingCursors($id: ID!, $first: Int, $after: String, $reviewStatus: ReviewStatus) {\n    project(id: $id) {\n      id\n      recordings(first: $first, after: $after, reviewStatus: $reviewStatus) {\n        pageInfo { hasNextPage endCursor }\n      }\n    }\n  }\n"): (typeof documents)["\n  query AdminProjectRecordingCursors($id: ID!, $first: Int, $after: String, $reviewStatus: ReviewStatus) {\n    project(id: $id) {\n      id\n      recordings(first: $first, after: $after, reviewStatus: $reviewStatus) {\n        pageInfo { hasNextPage endCursor }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AdminReviewRecording($id: ID!, $status: ReviewStatus!, $note: String) {\n    reviewRecording(id: $id, status: $status, note: $note) { ...RecordingFields }\n  }\n"): (typeof documents)["\n  mutation AdminReviewRecording($id: ID!, $status: ReviewStatus!, $note: String) {\n    reviewRecording(id: $id, status: $status, note: $note) { ...RecordingFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment DatasetExportFields on DatasetExport {\n    id\n    status\n    progress\n    recordings\n    sizeBytes\n    downloadUrl\n    error\n    createdAt\n    finishedAt\n  }\n"): (typeof documents)["\n  fragment DatasetExportFields on DatasetExport {\n    id\n    status\n    progress\n    recordings\n    sizeBytes\n    downloadUrl\n    error\n    createdAt\n    finishedAt\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AdminProjectExports($id: ID!) {\n    project(id: $id) {\n      id\n      exports { ...DatasetExportFields }\n    }\n  }\n"): (typeof documents)["\n  query AdminProjectExports($id: ID!) {\n    project(id: $id) {\n      id\n      exports { ...DatasetExportFields }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AdminExportDataset($projectId: ID!) {\n    exportDataset(projectId: $projectId) { ...DatasetExportFields }\n  }\n"): (typeof documents)["\n  mutation AdminExportDataset($projectId: ID!) {\n    exportDataset(projectId: $projectId) { ...DatasetExportFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RecordNextPrompt($projectId: ID!) {\n    project(id: $projectId) {\n      id\n      name\n      viewerRole\n      prompts(first: 1) { totalCount }\n    }\n    nextPrompt(projectId: $projectId) { id text }\n  }\n"): (typeof documents)["\n  query RecordNextPrompt($projectId: ID!) {\n    project(id: $projectId) {\n      id\n      name\n      viewerRole\n      prompts(first: 1) { totalCount }\n    }\n    nextPrompt(projectId: $projectId) { id text }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RecordMyRecordings($projectId: ID!, $speakerId: ID!, $first: Int) {\n    project(id: $projectId) {\n      id\n      recordings(first: $first, speakerId: $speakerId) {\n        totalCount\n        edges {\n          node {\n            id\n            createdAt\n            durationSeconds\n            reviewStatus\n            reviewNote\n            prompt { id text }\n            checks { wordErrorRate }\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query RecordMyRecordings($projectId: ID!, $speakerId: ID!, $first: Int) {\n    project(id: $projectId) {\n      id\n      recordings(first: $first, speakerId: $speakerId) {\n        totalCount\n        edges {\n          node {\n            id\n            createdAt\n            durationSeconds\n            reviewStatus\n            reviewNote\n            prompt { id text }\n            checks { wordErrorRate }\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RecordStartSession($input: StartLiveSessionInput!) {\n    startLiveSession(input: $input) { id nextSeq }\n  }\n"): (typeof documents)["\n  mutation RecordStartSession($input: StartLiveSessionInput!) {\n    startLiveSession(input: $input) { id nextSeq }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RecordAppendAudio($sessionId: ID!, $seq: Int!, $chunk: String!) {\n    appendLiveAudio(sessionId: $sessionId, seq: $seq, chunk: $chunk)\n  }\n"): (typeof documents)["\n  mutation RecordAppendAudio($sessionId: ID!, $seq: Int!, $chunk: String!) {\n    appendLiveAudio(sessionId: $sessionId, seq: $seq, chunk: $chunk)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RecordSessionSeq($id: ID!) {\n    liveSession(id: $id) { id status nextSeq }\n  }\n"): (typeof documents)["\n  query RecordSessionSeq($id: ID!) {\n    liveSession(id: $id) { id status nextSeq }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RecordEndSession($id: ID!) {\n    endLiveSession(id: $id) { id status }\n  }\n"): (typeof documents)["\n  mutation RecordEndSession($id: ID!) {\n    endLiveSession(id: $id) { id status }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RecordDiscardSession($id: ID!) {\n    discardLiveSession(id: $id)\n  }\n"): (typeof documents)["\n  mutation RecordDiscardSession($id: ID!) {\n    discardLiveSession(id: $id)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription RecordTranscript($sessionId: ID!) {\n    transcriptChunks(sessionId: $sessionId) {\n      isFinal\n      segment { index text }\n    }\n  }\n"): (typeof documents)["\n  subscription RecordTranscript($sessionId: ID!) {\n    transcriptChunks(sessionId: $sessionId) {\n      isFinal\n      segment { index text }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ProjectInviteMember($projectId: ID!, $email: String!, $role: ProjectRole!) {\n    inviteMember(projectId: $projectId, email: $email, role: $role)\n  }\n"): (typeof documents)["\n  mutation ProjectInviteMember($projectId: ID!, $email: String!, $role: ProjectRole!) {\n    inviteMember(projectId: $projectId, email: $email, role: $role)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ProjectSetMemberRole($projectId: ID!, $userId: ID!, $role: ProjectRole!) {\n    setMemberRole(projectId: $projectId, userId: $userId, role: $role) { role user { id } }\n  }\n"): (typeof documents)["\n  mutation ProjectSetMemberRole($projectId: ID!, $userId: ID!, $role: ProjectRole!) {\n    setMemberRole(projectId: $projectId, userId: $userId, role: $role) { role user { id } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ProjectRemoveMember($projectId: ID!, $userId: ID!) {\n    removeMember(projectId: $projectId, userId: $userId)\n  }\n"): (typeof documents)["\n  mutation ProjectRemoveMember($projectId: ID!, $userId: ID!) {\n    removeMember(projectId: $projectId, userId: $userId)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ProjectAddPrompts($projectId: ID!, $texts: [String!]!) {\n    addPrompts(projectId: $projectId, texts: $texts) { id text }\n  }\n"): (typeof documents)["\n  mutation ProjectAddPrompts($projectId: ID!, $texts: [String!]!) {\n    addPrompts(projectId: $projectId, texts: $texts) { id text }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MyJobs($first: Int, $after: String, $status: JobStatus, $search: String, $from: DateTime, $to: DateTime) {\n    jobs(first: $first, after: $after, status: $status, search: $search, from: $from, to: $to) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { node { ...JobListFields } }\n    }\n  }\n"): (typeof documents)["\n  query MyJobs($first: Int, $after: String, $status: JobStatus, $search: String, $from: DateTime, $to: DateTime) {\n    jobs(first: $first, after: $after, status: $status, search: $search, from: $from, to: $to) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { node { ...JobListFields } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MyJobCursors($first: Int, $after: String, $status: JobStatus, $search: String, $from: DateTime, $to: DateTime) {\n    jobs(first: $first, after: $after, status: $status, search: $search, from: $from, to: $to) {\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"): (typeof documents)["\n  query MyJobCursors($first: Int, $after: String, $status: JobStatus, $search: String, $from: DateTime, $to: DateTime) {\n    jobs(first: $first, after: $after, status: $status, search: $search, from: $from, to: $to) {\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription MyJobUpdated {\n    myJobUpdated { ...JobListFields }\n  }\n"): (typeof documents)["\n  subscription MyJobUpdated {\n    myJobUpdated { ...JobListFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation WebAppCreateJob($input: CreateTranscriptionJobInput!) {\n    createTranscriptionJob(input: $input) { ...JobListFields }\n  }\n"): (typeof documents)["\n  mutation WebAppCreateJob($input: CreateTranscriptionJobInput!) {\n    createTranscriptionJob(input: $input) { ...JobListFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AccountMe($from: DateTime, $to: DateTime) {\n    me {\n      id\n      username\n      email\n      role\n      quota { monthlyAudioMinutes usedAudioSecondsThisMonth reservedAudioSeconds remainingAudioSeconds resetsAt }\n    }\n    byDay: usage(from: $from, to: $to, groupBy: DAY) { key jobs liveSessions audioSeconds costUsd }\n    byProvider: usage(from: $from, to: $to, groupBy: PROVIDER) { key jobs liveSessions audioSeconds costUsd }\n  }\n"): (typeof documents)["\n  query AccountMe($from: DateTime, $to: DateTime) {\n    me {\n      id\n      username\n      email\n      role\n      quota { monthlyAudioMinutes usedAudioSecondsThisMonth reservedAudioSeconds remainingAudioSeconds resetsAt }\n    }\n    byDay: usage(from: $from, to: $to, groupBy: DAY) { key jobs liveSessions audioSeconds costUsd }\n    byProvider: usage(from: $from, to: $to, groupBy: PROVIDER) { key jobs liveSessions audioSeconds costUsd }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ApiKeyFields on ApiKey { id name prefix scopes createdAt lastUsedAt expiresAt revokedAt }\n"): (typeof documents)["\n  fragment ApiKeyFields on ApiKey { id name prefix scopes createdAt lastUsedAt expiresAt revokedAt }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AccountApiKeys {\n    apiKeys { ...ApiKeyFields }\n  }\n"): (typeof documents)["\n  query AccountApiKeys {\n    apiKeys { ...ApiKeyFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AccountCreateApiKey($input: CreateApiKeyInput!) {\n    createApiKey(input: $input) { secret apiKey { ...ApiKeyFields } }\n  }\n"): (typeof documents)["\n  mutation AccountCreateApiKey($input: CreateApiKeyInput!) {\n    createApiKey(input: $input) { secret apiKey { ...ApiKeyFields } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AccountRevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id) { ...ApiKeyFields }\n  }\n"): (typeof documents)["\n  mutation AccountRevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id) { ...ApiKeyFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AccountProviderKeys {\n    providerKeys { id provider name last4 createdAt lastUsedAt }\n  }\n"): (typeof documents)["\n  query AccountProviderKeys {\n    providerKeys { id provider name last4 createdAt lastUsedAt }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AccountSetProviderKey($input: SetProviderKeyInput!) {\n    setProviderKey(input: $input) { id provider name last4 createdAt lastUsedAt }\n  }\n"): (typeof documents)["\n  mutation AccountSetProviderKey($input: SetProviderKeyInput!) {\n    setProviderKey(input: $input) { id provider name last4 createdAt lastUsedAt }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AccountDeleteProviderKey($id: ID!) {\n    deleteProviderKey(id: $id)\n  }\n"): (typeof documents)["\n  mutation AccountDeleteProviderKey($id: ID!) {\n    deleteProviderKey(id: $id)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AccountWebhooks {\n    webhooks { ...WebhookFields }\n    projects(first: 100) { edges { node { id name viewerRole } } }\n  }\n"): (typeof documents)["\n  query AccountWebhooks {\n    webhooks { ...WebhookFields }\n    projects(first: 100) { edges { node { id name viewerRole } } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AccountCreateWebhook($input: CreateWebhookInput!) {\n    createWebhook(input: $input) { secret webhook { ...WebhookFields } }\n  }\n"): (typeof documents)["\n  mutation AccountCreateWebhook($input: CreateWebhookInput!) {\n    createWebhook(input: $input) { secret webhook { ...WebhookFields } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AdminDashboard($from: DateTime, $bucket: TimelineBucketSize) {\n    adminJobStats { total queued processing completed failed cancelled successRate audioSeconds }\n    adminJobTimeline(from: $from, bucket: $bucket) {\n      start submitted completed failed cancelled queued processing busySeconds busyWorkers\n    }\n    adminJobRunners { id workers seenAt alive }\n  }\n"): (typeof documents)["\n  query AdminDashboard($from: DateTime, $bucket: TimelineBucketSize) {\n    adminJobStats { total queued processing completed failed cancelled successRate audioSeconds }\n    adminJobTimeline(from: $from, bucket: $bucket) {\n      start submitted completed failed cancelled queued processing busySeconds busyWorkers\n    }\n    adminJobRunners { id workers seenAt alive }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment TranscriptViewFields on Job {\n    id\n    status\n    filename\n    revision\n    mediaUrl\n    mediaType\n    owner { id username }\n    segments { index start end text speaker speakerName provider words { word start end } }\n    speakers { speaker name displayName }\n    revisions { number createdAt segmentIndex before after author { id username } }\n  }\n"): (typeof documents)["\n  fragment TranscriptViewFields on Job {\n    id\n    status\n    filename\n    revision\n    mediaUrl\n    mediaType\n    owner { id username }\n    segments { index start end text speaker speakerName provider words { word start end } }\n    speakers { speaker name displayName }\n    revisions { number createdAt segmentIndex before after author { id username } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query TranscriptView($id: ID!) {\n    job(id: $id) { ...TranscriptViewFields }\n  }\n"): (typeof documents)["\n  query TranscriptView($id: ID!) {\n    job(id: $id) { ...TranscriptViewFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation TranscriptEditSegment($input: EditTranscriptSegmentInput!) {\n    editTranscriptSegment(input: $input) { ...TranscriptViewFields }\n  }\n"): (typeof documents)["\n  mutation TranscriptEditSegment($input: EditTranscriptSegmentInput!) {\n    editTranscriptSegment(input: $input) { ...TranscriptViewFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation TranscriptRenameSpeaker($input: RenameSpeakerInput!) {\n    renameSpeaker(input: $input) { ...TranscriptViewFields }\n  }\n"): (typeof documents)["\n  mutation TranscriptRenameSpeaker($input: RenameSpeakerInput!) {\n    renameSpeaker(input: $input) { ...TranscriptViewFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment PasskeyFields on Passkey { id name createdAt lastUsedAt deviceType backedUp transports }\n"): (typeof documents)["\n  fragment PasskeyFields on Passkey { id name createdAt lastUsedAt deviceType backedUp transports }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AccountPasskeys {\n    myPasskeys { ...PasskeyFields }\n  }\n"): (typeof documents)["\n  query AccountPasskeys {\n    myPasskeys { ...PasskeyFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AccountPasskeyRegistrationOptions {\n    passkeyRegistrationOptions\n  }\n"): (typeof documents)["\n  mutation AccountPasskeyRegistrationOptions {\n    passkeyRegistrationOptions\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AccountRegisterPasskey($name: String!, $response: String!) {\n    registerPasskey(name: $name, response: $response) { ...PasskeyFields }\n  }\n"): (typeof documents)["\n  mutation AccountRegisterPasskey($name: String!, $response: String!) {\n    registerPasskey(name: $name, response: $response) { ...PasskeyFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AccountRenamePasskey($id: ID!, $name: String!) {\n    renamePasskey(id: $id, name: $name) { ...PasskeyFields }\n  }\n"): (typeof documents)["\n  mutation AccountRenamePasskey($id: ID!, $name: String!) {\n    renamePasskey(id: $id, name: $name) { ...PasskeyFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AccountDeletePasskey($id: ID!, $password: String) {\n    deletePasskey(id: $id, password: $password) { id }\n  }\n"): (typeof documents)["\n  mutation AccountDeletePasskey($id: ID!, $password: String) {\n    deletePasskey(id: $id, password: $password) { id }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation WebAppPasskeyLoginOptions($challenge: String) {\n    passkeyLoginOptions(challenge: $challenge)\n  }\n"): (typeof documents)["\n  mutation WebAppPasskeyLoginOptions($challenge: String) {\n    passkeyLoginOptions(challenge: $challenge)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation WebAppLoginWithPasskey($response: String!) {\n    loginWithPasskey(response: $response) {\n      accessToken\n      refreshToken\n      accessTokenExpiresAt\n      user { id username email role isActive }\n    }\n  }\n"): (typeof documents)["\n  mutation WebAppLoginWithPasskey($response: String!) {\n    loginWithPasskey(response: $response) {\n      accessToken\n      refreshToken\n      accessTokenExpiresAt\n      user { id username email role isActive }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation WebAppRequestPasswordReset($email: String!) {\n    requestPasswordReset(email: $email)\n  }\n"): (typeof documents)["\n  mutation WebAppRequestPasswordReset($email: String!) {\n    requestPasswordReset(email: $email)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation WebAppResetPassword($token: String!, $newPassword: String!) {\n    resetPassword(token: $token, newPassword: $newPassword)\n  }\n"): (typeof documents)["\n  mutation WebAppResetPassword($token: String!, $newPassword: String!) {\n    resetPassword(token: $token, newPassword: $newPassword)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation WebAppChangePassword($input: ChangePasswordInput!) {\n    changePassword(input: $input) {\n      accessToken\n      refreshToken\n      accessTokenExpiresAt\n      user { id username email role isActive }\n    }\n  }\n"): (typeof documents)["\n  mutation WebAppChangePassword($input: ChangePasswordInput!) {\n    changePassword(input: $input) {\n      accessToken\n      refreshToken\n      accessTokenExpiresAt\n      user { id username email role isActive }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WebAppRegistrationPolicy {\n    registrationPolicy { mode allowedDomains emailVerificationRequired }\n  }\n"): (typeof documents)["\n  query WebAppRegistrationPolicy {\n    registrationPolicy { mode allowedDomains emailVerificationRequired }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WebAppMyVerification {\n    me { id email emailVerified }\n    registrationPolicy { emailVerificationRequired }\n  }\n"): (typeof documents)["\n  query WebAppMyVerification {\n    me { id email emailVerified }\n    registrationPolicy { emailVerificationRequired }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation WebAppVerifyEmail($token: String!) {\n    verifyEmail(token: $token) { email }\n  }\n"): (typeof documents)["\n  mutation WebAppVerifyEmail($token: String!) {\n    verifyEmail(token: $token) { email }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation WebAppResendVerification {\n    resendVerification\n  }\n"): (typeof documents)["\n  mutation WebAppResendVerification {\n    resendVerification\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WebAppRerunSettings($id: ID!) {\n    job(id: $id) {\n      id\n      providers\n      model\n      language\n      diarize\n      translateTo\n      translationEngine\n      sentimentRequested\n      summaryRequested\n    }\n  }\n"): (typeof documents)["\n  query WebAppRerunSettings($id: ID!) {\n    job(id: $id) {\n      id\n      providers\n      model\n      language\n      diarize\n      translateTo\n      translationEngine\n      sentimentRequested\n      summaryRequested\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation WebAppRerunJob($id: ID!, $input: RerunJobInput) {\n    rerunJob(id: $id, input: $input) { id status }\n  }\n"): (typeof documents)["\n  mutation WebAppRerunJob($id: ID!, $input: RerunJobInput) {\n    rerunJob(id: $id, input: $input) { id status }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WebAppRerunOf($id: ID!) {\n    job(id: $id) { id rerunOf { id filename } }\n  }\n"): (typeof documents)["\n  query WebAppRerunOf($id: ID!) {\n    job(id: $id) { id rerunOf { id filename } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WebAppJobRedaction($id: ID!) {\n    job(id: $id) {\n      id\n      redact\n      transcriptRedacted\n      redactedRanges { start end }\n      segments(redacted: true) { index start end text speakerName }\n    }\n  }\n"): (typeof documents)["\n  query WebAppJobRedaction($id: ID!) {\n    job(id: $id) {\n      id\n      redact\n      transcriptRedacted\n      redactedRanges { start end }\n      segments(redacted: true) { index start end text speakerName }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WebAppProjectRedaction($id: ID!) {\n    project(id: $id) {\n      id\n      viewerRole\n      redact\n      redactionMandatory\n    }\n  }\n"): (typeof documents)["\n  query WebAppProjectRedaction($id: ID!) {\n    project(id: $id) {\n      id\n      viewerRole\n      redact\n      redactionMandatory\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation WebAppSetProjectRedactionPolicy($projectId: ID!, $redact: [RedactionKind!]!, $mandatory: Boolean!) {\n    setProjectRedactionPolicy(projectId: $projectId, redact: $redact, mandatory: $mandatory) {\n      id\n      redact\n      redactionMandatory\n    }\n  }\n"): (typeof documents)["\n  mutation WebAppSetProjectRedactionPolicy($projectId: ID!, $redact: [RedactionKind!]!, $mandatory: Boolean!) {\n    setProjectRedactionPolicy(projectId: $projectId, redact: $redact, mandatory: $mandatory) {\n      id\n      redact\n      redactionMandatory\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WebAppJobSummary($id: ID!) {\n    job(id: $id) {\n      id\n      status\n      revision\n      summaryStatus\n      summaryError\n      summary {\n        text\n        model\n        revision\n        keyPoints { text segmentIndexes ranges { start end } }\n        actionItems { text segmentIndexes ranges { start end } }\n      }\n    }\n  }\n"): (typeof documents)["\n  query WebAppJobSummary($id: ID!) {\n    job(id: $id) {\n      id\n      status\n      revision\n      summaryStatus\n      summaryError\n      summary {\n        text\n        model\n        revision\n        keyPoints { text segmentIndexes ranges { start end } }\n        actionItems { text segmentIndexes ranges { start end } }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation WebAppSummarizeJob($jobId: ID!) {\n    summarizeJob(jobId: $jobId) { id summaryStatus summaryError }\n  }\n"): (typeof documents)["\n  mutation WebAppSummarizeJob($jobId: ID!) {\n    summarizeJob(jobId: $jobId) { id summaryStatus summaryError }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation WebAppAskTranscript($jobId: ID!, $question: String!) {\n    askTranscript(jobId: $jobId, question: $question) {\n      question\n      answer\n      citations { segmentIndex start end text }\n    }\n  }\n"): (typeof documents)["\n  mutation WebAppAskTranscript($jobId: ID!, $question: String!) {\n    askTranscript(jobId: $jobId, question: $question) {\n      question\n      answer\n      citations { segmentIndex start end text }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WebAppVocabularySets($projectId: ID) {\n    vocabularySets(first: 100, projectId: $projectId) {\n      edges {\n        node {\n          id\n          name\n          terms\n          termCount\n          personal\n          projectDefault\n          project { id name }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query WebAppVocabularySets($projectId: ID) {\n    vocabularySets(first: 100, projectId: $projectId) {\n      edges {\n        node {\n          id\n          name\n          terms\n          termCount\n          personal\n          projectDefault\n          project { id name }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation WebAppCreateVocabularySet($input: CreateVocabularySetInput!) {\n    createVocabularySet(input: $input) { id name termCount }\n  }\n"): (typeof documents)["\n  mutation WebAppCreateVocabularySet($input: CreateVocabularySetInput!) {\n    createVocabularySet(input: $input) { id name termCount }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation WebAppUpdateVocabularySet($id: ID!, $input: UpdateVocabularySetInput!) {\n    updateVocabularySet(id: $id, input: $input) { id name terms termCount }\n  }\n"): (typeof documents)["\n  mutation WebAppUpdateVocabularySet($id: ID!, $input: UpdateVocabularySetInput!) {\n    updateVocabularySet(id: $id, input: $input) { id name terms termCount }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation WebAppDeleteVocabularySet($id: ID!) {\n    deleteVocabularySet(id: $id)\n  }\n"): (typeof documents)["\n  mutation WebAppDeleteVocabularySet($id: ID!) {\n    deleteVocabularySet(id: $id)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation WebAppSetProjectDefaultVocabularySets($projectId: ID!, $ids: [ID!]!) {\n    setProjectDefaultVocabularySets(projectId: $projectId, vocabularySetIds: $ids) { id defaultVocabularySets { id } }\n  }\n"): (typeof documents)["\n  mutation WebAppSetProjectDefaultVocabularySets($projectId: ID!, $ids: [ID!]!) {\n    setProjectDefaultVocabularySets(projectId: $projectId, vocabularySetIds: $ids) { id defaultVocabularySets { id } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WebAppProjectVocabulary($id: ID!) {\n    project(id: $id) { id viewerRole }\n  }\n"): (typeof documents)["\n  query WebAppProjectVocabulary($id: ID!) {\n    project(id: $id) { id viewerRole }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WebAppJobVocabulary($id: ID!) {\n    job(id: $id) {\n      id\n      vocabularyTerms\n      contextPrompt\n      vocabularyApplied { ...WebAppVocabularyApplication }\n    }\n  }\n"): (typeof documents)["\n  query WebAppJobVocabulary($id: ID!) {\n    job(id: $id) {\n      id\n      vocabularyTerms\n      contextPrompt\n      vocabularyApplied { ...WebAppVocabularyApplication }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment WebAppVocabularyApplication on VocabularyApplication {\n    provider\n    termsApplied\n    termsNotApplied { term reason }\n    contextPromptPassed\n    truncated\n    notes\n  }\n"): (typeof documents)["\n  fragment WebAppVocabularyApplication on VocabularyApplication {\n    provider\n    termsApplied\n    termsNotApplied { term reason }\n    contextPromptPassed\n    truncated\n    notes\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WebAppLiveSessionVocabulary($id: ID!) {\n    liveSession(id: $id) {\n      id\n      status\n      vocabularyTerms\n      contextPrompt\n      vocabularyApplied { ...WebAppVocabularyApplication }\n      segments { index text }\n    }\n  }\n"): (typeof documents)["\n  query WebAppLiveSessionVocabulary($id: ID!) {\n    liveSession(id: $id) {\n      id\n      status\n      vocabularyTerms\n      contextPrompt\n      vocabularyApplied { ...WebAppVocabularyApplication }\n      segments { index text }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;