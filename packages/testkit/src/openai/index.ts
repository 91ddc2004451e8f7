export { answerFromSchema, labelledAnswerResponder, lastUserMessage, requestedSchema, startFakeOpenAI } from './server.js';
export type { LabelledAnswer, FakeChatRequest, FakeOpenAI, FakeOpenAIOptions, FakeReply, FakeResponder } from './server.js';
