// The texts of the everyday paths of issue #20 (settings menu, linking records, search, tasks, sign-up...):
// [English, Russian], merged into MESSAGES by messages.js.
export const EVERYDAY = {
  'settings.all': ['All settings', 'Все настройки'],
  'settings.group.you': ['Your account', 'Ваша учётная запись'],
  'settings.group.team': ['Team', 'Команда'],
  'settings.group.sales': ['Sales', 'Продажи'],
  'settings.group.connect': ['Connections', 'Подключения'],
  'settings.group.company': ['Company', 'Компания'],
  'detail.email': ['Enter an e-mail address like name@example.com', 'Введите адрес вида name@example.com'],
  'auth.timezone': ['Time zone', 'Часовой пояс'],
  'auth.timezoneHint': ['“Today” and due times of tasks follow it.', 'По нему считаются «сегодня» и сроки задач.'],
  'tasks.reopen': ['Reopen “{title}”', 'Вернуть в работу «{title}»'],
  'tasks.reopened': ['Task reopened', 'Задача снова в работе'],
  'tasks.edit': ['Change', 'Изменить'],
  'tasks.editOne': ['Change “{title}”', 'Изменить «{title}»'],
  'tasks.editTitle': ['Change the task', 'Изменить задачу'],
  'tasks.tomorrow': ['Tomorrow 10:00', 'Завтра в 10:00'],
  'tasks.nextWeek': ['In a week', 'Через неделю'],
  'tasks.zoneHint': ['On the company’s clock: {zone}', 'По времени компании: {zone}'],
};
