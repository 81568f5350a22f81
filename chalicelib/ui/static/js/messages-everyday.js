// The texts of the everyday paths of issue #20 (settings menu, linking records, search, tasks, sign-up...):
// [English, Russian], merged into MESSAGES by messages.js.
export const EVERYDAY = {
  'settings.all': ['All settings', 'Все настройки'],
  'settings.group.you': ['Your account', 'Ваша учётная запись'],
  'settings.group.team': ['Team', 'Команда'],
  'settings.group.sales': ['Sales', 'Продажи'],
  'settings.group.connect': ['Connections', 'Подключения'],
  'settings.group.company': ['Company', 'Компания'],
};
