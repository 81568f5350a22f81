// What the web app says for each refusal of the API, by its code (i18n.js errorMessage): [English, Russian], merged
// into MESSAGES by messages.js. The API's own message is English and may name a field or a number; the fields'
// problems are shown next to them (detailMessage), so these say what happened and what to do next.
// tests/browser/test_error_texts.py collects every code the API answers and checks that each has its text here or
// beside its screen's texts.
export const ERRORS = {
  // Any request
  'error.bad_request': ['The CRM could not read this request. Reload the page and try again.', 'CRM не смогла прочитать этот запрос. Обновите страницу и попробуйте ещё раз.'],
  'error.malformed_body': ['The CRM could not read what was sent. Reload the page and try again.', 'CRM не смогла прочитать отправленные данные. Обновите страницу и попробуйте ещё раз.'],
  'error.method_not_allowed': ['This action is not available here. Reload the page and try again.', 'Здесь это действие недоступно. Обновите страницу и попробуйте ещё раз.'],
  'error.unsupported_media_type': ['The CRM could not read what was sent. Reload the page and try again.', 'CRM не смогла прочитать отправленные данные. Обновите страницу и попробуйте ещё раз.'],
  'error.payload_too_large': ['This is too large to send. Choose a smaller file or send less at once.', 'Это слишком большой объём. Выберите файл поменьше или отправьте меньше за раз.'],
  'error.invalid_cursor': ['The list has changed since it was opened. Reload it to see more.', 'Список изменился с тех пор, как его открыли. Обновите его, чтобы увидеть остальное.'],
  'error.conflict': ['This cannot be done now: it was changed meanwhile. Reload and try again.', 'Сейчас это сделать нельзя: тем временем что-то изменилось. Обновите страницу и попробуйте ещё раз.'],
  'error.change_too_large': ['This changes too much at once. Split it into smaller changes.', 'Это изменение слишком большое для одного раза. Разбейте его на несколько поменьше.'],
  'error.service_unavailable': ['The CRM is busy right now. Try again in a minute.', 'CRM сейчас перегружена. Попробуйте через минуту.'],
  'error.tenant_key_unavailable': ['Your company’s protected data cannot be opened right now. Try again in a minute; if it goes on, write to support.', 'Защищённые данные компании сейчас недоступны. Попробуйте через минуту; если не пройдёт, напишите в поддержку.'],
  'error.undecryptable': ['A protected value could not be opened. We have been told; write to support if it goes on.', 'Не удалось открыть защищённое значение. Мы уже знаем об этом; если повторится, напишите в поддержку.'],

  // Signing in and the session
  'error.unauthenticated': ['Your session has ended. Sign in again.', 'Сеанс завершён. Войдите снова.'],
  'error.token_expired': ['Your session has expired. Sign in again.', 'Сеанс истёк. Войдите снова.'],
  'error.token_revoked': ['Your session has ended (signed out, or your access changed). Sign in again.', 'Сеанс завершён (выход из системы или изменились ваши права). Войдите снова.'],
  'error.token_stale': ['Your role has changed. Sign in again to go on with your new rights.', 'Ваша роль изменилась. Войдите снова, чтобы работать с новыми правами.'],
  'error.invalid_refresh_token': ['Your session has ended. Sign in again.', 'Сеанс завершён. Войдите снова.'],
  'error.refresh_token_reused': ['Your session was closed for safety: it was used from somewhere else. Sign in again and change your password if it was not you.', 'Сеанс закрыт в целях безопасности: им воспользовались из другого места. Войдите снова и смените пароль, если это были не вы.'],
  'error.tenant_choice_required': ['This e-mail belongs to several companies. Choose the company to sign in to.', 'Этот адрес есть в нескольких компаниях. Выберите, в какую войти.'],
  'error.password_change_required': ['Set a new password first: your company asks for it.', 'Сначала задайте новый пароль: этого требует ваша компания.'],
  'error.totp_enrollment_required': ['Turn on the second factor first: your company asks for it.', 'Сначала включите второй фактор: этого требует ваша компания.'],
  'error.totp_enabled': ['The second factor is already on. To set it up again, turn it off first.', 'Второй фактор уже включён. Чтобы настроить его заново, сначала выключите его.'],

  // Users, roles and access
  'error.not_invited': ['This person has already accepted the invitation.', 'Этот сотрудник уже принял приглашение.'],
  'error.not_active': ['This person has not accepted the invitation yet. Resend it, or wait until they accept.', 'Сотрудник ещё не принял приглашение. Отправьте его снова или дождитесь, пока он его примет.'],
  'error.duplicate_role': ['A role with this key already exists. Choose another key.', 'Роль с таким ключом уже есть. Выберите другой ключ.'],
  'error.field_read_only': ['Your role may not change some of these fields. Leave them as they are, or ask an administrator.', 'Ваша роль не может менять некоторые из этих полей. Оставьте их как есть или обратитесь к администратору.'],
  'error.field_hidden': ['Your role may not see this. Ask an administrator if you need it.', 'Вашей роли это не видно. Если это нужно для работы, обратитесь к администратору.'],
  'error.actor_inactive': ['The person who started this is no longer active in the company. Start it again yourself.', 'Сотрудник, который это запустил, больше не работает в компании. Запустите заново от своего имени.'],

  // Records
  'error.duplicate_phones': ['Another contact already has this phone number. Find that contact instead of adding a new one.', 'Этот номер телефона уже есть у другого контакта. Найдите этот контакт, а не создавайте новый.'],
  'error.duplicate_emails': ['Another contact already has this e-mail. Find that contact instead of adding a new one.', 'Этот адрес эл. почты уже есть у другого контакта. Найдите этот контакт, а не создавайте новый.'],
  'error.duplicate_external_id': ['Another record already has this external id. Open that one, or give another id.', 'Этот внешний идентификатор уже есть у другой записи. Откройте её или укажите другой идентификатор.'],
  'error.duplicate_from_deal_id': ['An order has already been made from this deal. Open it on the deal’s card.', 'Из этой сделки уже сделан заказ. Откройте его в карточке сделки.'],
  'error.merged_contact': ['This contact was merged into another. Open the contact it was merged into, or undo the merge.', 'Этот контакт объединён с другим. Откройте контакт, в который он вошёл, или отмените объединение.'],
  'error.not_revertable': ['This change cannot be undone: the record has been deleted or moved to the trash since, or the history does not keep what it was.', 'Это изменение отменить нельзя: запись с тех пор удалена или в корзине, либо в истории не сохранилось, какой она была.'],
  'error.pipeline_gone': ['The deal’s pipeline has been deleted. Move the deal to another pipeline first.', 'Воронка сделки удалена. Сначала перенесите сделку в другую воронку.'],
  'error.too_many_custom_fields': ['There are as many custom fields here as allowed. Delete one you no longer use to add another.', 'Здесь уже максимум дополнительных полей. Удалите ненужное, чтобы добавить новое.'],
  'error.too_many_warehouses': ['A company has at most 50 warehouses. Delete one you no longer use to add another.', 'У компании может быть не больше 50 складов. Удалите ненужный, чтобы добавить новый.'],
  'error.order_active': ['The order still holds its products in stock. Cancel the order first, then delete it.', 'Заказ ещё держит товары на складе. Сначала отмените заказ, затем удалите.'],

  // Merging contacts
  'error.merge_conflict': ['The contacts changed while they were being merged. Reload and try again.', 'Контакты изменились во время объединения. Обновите страницу и попробуйте ещё раз.'],
  'error.merge_in_progress': ['This contact is being merged right now. Try again in a minute.', 'Этот контакт сейчас объединяется. Попробуйте через минуту.'],
  'error.merge_too_large': ['Together these contacts have too much to merge at once. Remove some phones, e-mails or links first.', 'Вместе у этих контактов слишком много данных для одного объединения. Сначала уберите часть телефонов, адресов или связей.'],
  'error.merge_not_undoable': ['This merge can no longer be undone: it was undone already, or a contact was deleted for good.', 'Это объединение отменить уже нельзя: его уже отменили или один из контактов удалён навсегда.'],
  'error.merge_undo_conflict': ['The contacts have changed since the merge, so it can no longer be undone.', 'Контакты изменились после объединения, поэтому отменить его уже нельзя.'],

  // Imports
  'error.import_expired': ['The uploaded file is no longer kept. Upload it again.', 'Загруженный файл больше не хранится. Загрузите его снова.'],
  'error.import_started': ['This import has already been started. Its progress is in the list of imports.', 'Этот импорт уже запущен. Ход его работы виден в списке импортов.'],
  'error.import_not_finished': ['An import can be undone only when it has finished. Wait until it ends.', 'Отменить можно только завершённый импорт. Дождитесь его окончания.'],
  'error.import_undone': ['This import has already been undone.', 'Этот импорт уже отменён.'],
  'error.unreadable_file': ['This file cannot be read as a table. Save it as CSV or Excel (.xlsx) and upload it again.', 'Этот файл не читается как таблица. Сохраните его в CSV или Excel (.xlsx) и загрузите снова.'],

  // Messages, lines and the inbox
  'error.integration_gone': ['The line of this conversation has been deleted, so it can no longer be answered here. Write to the customer from another conversation.', 'Линия этого диалога удалена, поэтому ответить здесь уже нельзя. Напишите клиенту из другого диалога.'],
  'error.email_only': ['An e-mail is answered with its subject, in its thread. Open the e-mail conversation to answer.', 'На письмо отвечают с темой, в его цепочке. Откройте переписку по почте, чтобы ответить.'],
  'error.caller_id_required': ['Set the line’s Twilio number first: Settings → Integrations.', 'Сначала укажите номер Twilio у линии: Настройки → Интеграции.'],
  'error.no_attachment': ['This file is not kept (yet). Try again in a minute.', 'Этот файл (пока) не сохранён. Попробуйте через минуту.'],
  'error.event_fields_gone': ['What this event brought is no longer kept.', 'Данные этого события больше не хранятся.'],

  // Campaigns
  'error.invalid_campaign': ['Check the campaign’s settings marked below.', 'Проверьте отмеченные настройки рассылки.'],
  'error.content_required': ['The campaign is not written yet: fill in its message (and subject, or template).', 'Рассылка ещё не написана: заполните текст (и тему или шаблон).'],
  'error.unknown_merge_field': ['The message has a merge field that does not exist. Use {first_name}, {last_name} or {name}.', 'В тексте есть несуществующее поле подстановки. Используйте {first_name}, {last_name} или {name}.'],
  'error.unknown_reference': ['The segment or line chosen no longer exists. Choose another.', 'Выбранный сегмент или линия больше не существует. Выберите другой.'],
  'error.to_required': ['Give your own number to send the test to.', 'Укажите свой номер, чтобы отправить тест.'],
  'error.invalid_phone': ['This is not a phone number. Check it and type it again.', 'Это не номер телефона. Проверьте его и введите ещё раз.'],
  'error.test_refused': ['The provider refused the test message. Check the number or address, and the line’s settings.', 'Провайдер не принял тестовое сообщение. Проверьте номер или адрес и настройки линии.'],
  'error.too_many_segments': ['A company has as many segments as allowed. Delete one you no longer use to add another.', 'У компании уже максимум сегментов. Удалите ненужный, чтобы добавить новый.'],

  // Documents and templates
  'error.numbering_busy': ['Documents are being numbered right now. Try again in a moment.', 'Документы сейчас нумеруются. Попробуйте ещё раз через мгновение.'],
  'error.template_syntax': ['The template has a mistake in its {{ }} or {% %} tags. Correct the line shown.', 'В шаблоне ошибка в тегах {{ }} или {% %}. Исправьте указанную строку.'],
  'error.template_error': ['The template cannot make a document from this record. Correct the line shown.', 'По этому шаблону не получается сделать документ для записи. Исправьте указанную строку.'],
  'error.template_unsafe': ['The template uses something not available in documents. Remove it.', 'В шаблоне есть то, что в документах недоступно. Уберите это.'],
  'error.template_too_large': ['The document would be too long. Shorten the template or its loops.', 'Документ получится слишком длинным. Сократите шаблон или его циклы.'],
  'error.template_too_slow': ['The template takes too long to fill in. Simplify its loops.', 'Шаблон заполняется слишком долго. Упростите его циклы.'],
  'error.document_layout': ['The document cannot be laid out as a PDF. Simplify the template’s layout.', 'Документ не получается сверстать в PDF. Упростите оформление шаблона.'],
  'error.document_tag_refused': ['The template uses an HTML tag not available in documents. Remove it.', 'В шаблоне есть HTML-тег, недоступный в документах. Уберите его.'],
  'error.document_too_long': ['The document has too many pages for one PDF. Shorten it.', 'В документе слишком много страниц для одного PDF. Сократите его.'],

  // Knowledge base
  'error.duplicate_slug': ['Another article has this address. Choose another.', 'Этот адрес уже у другой статьи. Выберите другой.'],
  'error.slug_taken': ['This address is taken. Choose another.', 'Этот адрес уже занят. Выберите другой.'],

  // Billing
  'error.same_plan': ['The company is on this plan already.', 'Компания уже на этом тарифе.'],
  'error.not_subscribed': ['The company has no subscription to change yet. Choose a plan to subscribe.', 'У компании ещё нет подписки, которую можно изменить. Выберите тариф, чтобы подписаться.'],

  // Field problems (details[].type), shown next to their field in Russian (detailMessage; English keeps the API's
  // words, which may name a number these leave out)
  'detail.field_read_only': ['Read-only for your role', 'Ваша роль не может это менять'],
  'detail.field_hidden': ['Hidden from your role', 'Скрыто от вашей роли'],
  'detail.control_character': ['Remove the tab, line break or invisible character', 'Уберите табуляцию, перенос строки или невидимый символ'],
  'detail.duplicate': ['Another record already has it', 'Это уже есть у другой записи'],
  'detail.not_found': ['Not found: it may have been deleted', 'Не найдено: возможно, это удалено'],
  'detail.unknown_reference': ['Not found: choose another', 'Не найдено: выберите другое'],
  'detail.unknown_owner': ['No such active user', 'Нет такого работающего сотрудника'],
  'detail.unknown_user': ['Not an active user of this company', 'Такого работающего сотрудника в компании нет'],
  'detail.unknown_role': ['No such role', 'Нет такой роли'],
  'detail.unknown_team': ['No such team', 'Нет такой команды'],
  'detail.unknown_timezone': ['Unknown time zone', 'Неизвестный часовой пояс'],
  'detail.unknown_field': ['No such field', 'Нет такого поля'],
  'detail.unknown_column': ['No such column in the file', 'В файле нет такого столбца'],
  'detail.mapped_twice': ['Two columns go to this field: keep it for one', 'В это поле идут два столбца: оставьте его одному'],
  'detail.unreadable_file': ['The file cannot be read as a table: save it as CSV or Excel (.xlsx)', 'Файл не читается как таблица: сохраните его в CSV или Excel (.xlsx)'],
  'detail.too_many': ['Too many: remove some', 'Слишком много: уберите лишние'],
  'detail.too_many_segments': ['Too many segments: delete one you no longer use', 'Слишком много сегментов: удалите ненужный'],
  'detail.too_long': ['Longer than allowed', 'Длиннее, чем допускается'],
  'detail.type_error': ['Not a value this field takes', 'Такое значение в это поле не подходит'],
  'detail.invalid_value': ['Not a value this field takes', 'Такое значение в это поле не подходит'],
  'detail.not_an_option': ['Not one of the options', 'Нет среди вариантов'],
  'detail.invalid_url': ['Not a web address (https://…)', 'Не веб-адрес (https://…)'],
  'detail.invalid_currency': ['Not a currency code', 'Не код валюты (например, RUB)'],
  'detail.missing_timezone': ['Give the time with its time zone', 'Укажите время вместе с часовым поясом'],
  'detail.masked_value': ['A hidden (masked) value cannot be saved: type the value itself', 'Скрытое значение (со звёздочками) сохранить нельзя: введите само значение'],
  'detail.amount_too_large': ['The amount is too large', 'Слишком большая сумма'],
  'detail.discount_too_large': ['The discount is larger than the line', 'Скидка больше суммы позиции'],
  'detail.insufficient_stock': ['Not enough in stock', 'Не хватает на складе'],
  'detail.invalid_transition': ['Not allowed now', 'Сейчас так нельзя'],
  'detail.order_locked': ['Fixed once the order is confirmed', 'После подтверждения заказа не меняется'],
  'detail.invalid_stages': ['A pipeline needs exactly one won stage, at least one lost and one open stage, each named differently', 'В воронке нужны ровно один выигрышный этап, хотя бы один проигрышный и один открытый, все с разными названиями'],
  'detail.invalid_hours': ['Give at least one working day', 'Укажите хотя бы один рабочий день'],
  'detail.invalid_period': ['The start must come before the end, and the period may not be too long', 'Начало должно быть раньше конца, а период — не слишком длинным'],
  'detail.otp_invalid': ['Wrong code', 'Неверный код'],
  'detail.password_reused': ['Same as the current password', 'Совпадает с текущим паролем'],
  'detail.same_contact': ['A contact cannot be merged with itself', 'Контакт нельзя объединить с самим собой'],
  'detail.no_phone': ['The contact has no phone number', 'У контакта нет телефона'],
  'detail.no_files': ['This channel sends no files', 'Этот канал не отправляет файлы'],
  'detail.no_conversation': ['The ticket has no conversation to answer in', 'У обращения нет переписки, где можно ответить'],
  'detail.email_only': ['Only an e-mail has a subject', 'Тема бывает только у письма'],
  'detail.sender_not_verified': ['Not verified for sending in Amazon SES', 'Не подтверждён для отправки в Amazon SES'],
  'detail.template_required': ['Outside the 24-hour reply window: choose an approved template', 'Вне 24-часового окна ответа: выберите одобренный шаблон'],
  'detail.content_required': ['Fill this in before sending', 'Заполните перед отправкой'],
  'detail.invalid_campaign': ['Not possible on this campaign’s channel', 'Для канала этой рассылки так нельзя'],
  'detail.subject_required': ['A new e-mail needs a subject', 'У нового письма должна быть тема'],
  'detail.text_or_template': ['Write a message or choose a template, not both', 'Напишите сообщение или выберите шаблон, что-то одно'],
};
