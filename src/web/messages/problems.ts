/**
 * What a person reads when something they sent is refused: the registry's codes (error and issue codes) worded for
 * citizens and clerks, in each language. `problem.<CODE>` for an error, `issue.<CODE>` for one problem at a field;
 * `{field}` is the field's title from the form's schema, never its pointer.
 */
import { defineMessages } from './define.js';

const zhHans = {
  'problem.fallback': '无法完成此操作，请检查后重试。',
  'problem.AUTH.INVALID_CREDENTIALS': '用户名或密码不正确',
  'problem.AUTH.RATE_LIMITED': '尝试次数过多，请等几分钟后再试',
  'problem.PASSWORD.WEAK': '密码不符合要求：至少10个字符，且不能是常见密码',
  'problem.INPUT.INVALID': '填写的内容有误，请按提示修改',
  'problem.FILE.TOO_LARGE': '文件太大，请上传不超过10MB的文件',
  'problem.FILE.TYPE_UNSUPPORTED': '文件格式不支持，请上传PDF、JPG或PNG文件',
  'problem.FILE.MISSING': '请选择要上传的文件',
  'problem.APPLICATION.CONFLICT': '该办件刚刚被其他人更新，下面显示的是最新情况，请确认后再操作',
  'problem.TASK.CLAIMED': '该任务已被其他工作人员认领',
  'problem.TRANSITION.NOT_ALLOWED': '办件当前的状态不能进行此操作，下面显示的是最新情况',
} as const;

export const problems = defineMessages(zhHans, {
  'zh-Hant': {
    'problem.fallback': '無法完成此操作，請檢查後重試。',
    'problem.AUTH.INVALID_CREDENTIALS': '用戶名或密碼不正確',
    'problem.AUTH.RATE_LIMITED': '嘗試次數過多，請等幾分鐘後再試',
    'problem.PASSWORD.WEAK': '密碼不符合要求：至少10個字元，且不能是常見密碼',
    'problem.INPUT.INVALID': '填寫的內容有誤，請按提示修改',
    'problem.FILE.TOO_LARGE': '檔案太大，請上傳不超過10MB的檔案',
    'problem.FILE.TYPE_UNSUPPORTED': '檔案格式不支援，請上傳PDF、JPG或PNG檔案',
    'problem.FILE.MISSING': '請選擇要上傳的檔案',
    'problem.APPLICATION.CONFLICT': '該辦件剛剛被其他人更新，下面顯示的是最新情況，請確認後再操作',
    'problem.TASK.CLAIMED': '該任務已被其他工作人員認領',
    'problem.TRANSITION.NOT_ALLOWED': '辦件目前的狀態不能進行此操作，下面顯示的是最新情況',
  },
  en: {
    'problem.fallback': 'This could not be done. Check what you entered and try again.',
    'problem.AUTH.INVALID_CREDENTIALS': 'The username or password is not right',
    'problem.AUTH.RATE_LIMITED': 'Too many attempts: wait a few minutes and try again',
    'problem.PASSWORD.WEAK': 'Choose a password of at least 10 characters that is not a common password',
    'problem.INPUT.INVALID': 'Some of what you entered is not right; see the messages below',
    'problem.FILE.TOO_LARGE': 'The file is too large: upload one of at most 10 MB',
    'problem.FILE.TYPE_UNSUPPORTED': 'The file must be a PDF, JPG or PNG',
    'problem.FILE.MISSING': 'Choose a file to upload',
    'problem.APPLICATION.CONFLICT': 'Someone else has just updated this application. Its current state is shown below: check it and try again',
    'problem.TASK.CLAIMED': 'Another clerk has claimed this task',
    'problem.TRANSITION.NOT_ALLOWED': 'This cannot be done in the application’s current state, shown below',
  },
});
